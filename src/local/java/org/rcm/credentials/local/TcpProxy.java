package org.rcm.credentials.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on loopback that tests can cut, to take a dependency away from a running
 * service (a database outage) and give it back, without stopping the dependency itself.
 * It can be driven from another class loader or process through a small HTTP control API:
 * {@code POST /cut}, {@code POST /stall} and {@code POST /restore} on {@link #controlUri()}.
 */
public final class TcpProxy implements AutoCloseable {

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final HttpServer control;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;
    private final Object gate = new Object();
    private boolean stalled;

    private TcpProxy(ServerSocket server, InetSocketAddress target) throws IOException {
        this.server = server;
        this.target = target;
        this.control = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        control.createContext("/cut", exchange -> answer(exchange, this::cut));
        control.createContext("/stall", exchange -> answer(exchange, this::stall));
        control.createContext("/restore", exchange -> answer(exchange, this::restore));
        control.start();
    }

    /** Where the control API listens. */
    public URI controlUri() {
        return URI.create("http://127.0.0.1:" + control.getAddress().getPort());
    }

    /** Drives a proxy through its control API: {@code action} is {@code cut}, {@code stall} or {@code restore}. */
    public static void control(URI controlUri, String action) {
        try {
            HttpResponse<Void> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(controlUri.resolve("/" + action)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() != 204) {
                throw new IllegalStateException("proxy control answered " + response.statusCode());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void answer(HttpExchange exchange, Runnable action) throws IOException {
        action.run();
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
    }

    /** Starts a proxy on a free loopback port that forwards to {@code host:port}. */
    public static TcpProxy start(String host, int port) {
        try {
            ServerSocket server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
            TcpProxy proxy = new TcpProxy(server, new InetSocketAddress(host, port));
            Thread acceptor = new Thread(proxy::acceptLoop, "tcp-proxy-" + server.getLocalPort());
            acceptor.setDaemon(true);
            acceptor.start();
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Closes every open connection and refuses new ones until {@link #restore()}. */
    public void cut() {
        cut = true;
        sockets.forEach(TcpProxy::closeQuietly);
        sockets.clear();
    }

    /**
     * Keeps connections open but forwards nothing until {@link #restore()}: a dependency that
     * hangs rather than fails.
     */
    public void stall() {
        synchronized (gate) {
            stalled = true;
        }
    }

    /** Accepts and forwards connections again. */
    public void restore() {
        cut = false;
        synchronized (gate) {
            stalled = false;
            gate.notifyAll();
        }
    }

    private void awaitOpenGate() throws InterruptedException {
        synchronized (gate) {
            while (stalled) {
                gate.wait();
            }
        }
    }

    @Override
    public void close() {
        cut();
        closeQuietly(server);
        control.stop(0);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (cut) {
                    closeQuietly(client);
                    continue;
                }
                Socket upstream = new Socket(target.getAddress(), target.getPort());
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    awaitOpenGate();
                    out.write(buffer, 0, n);
                }
            } catch (IOException ignored) {
                // the other side or cut() closed the connection
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                sockets.remove(from);
                sockets.remove(to);
            }
        }, "tcp-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
