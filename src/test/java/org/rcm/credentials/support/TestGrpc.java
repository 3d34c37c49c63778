package org.rcm.credentials.support;

import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.eclipse.microprofile.config.ConfigProvider;
import org.rcm.credentials.local.LocalPki;

/** gRPC channels to the broker under test, one per client identity, over mTLS. */
public final class TestGrpc {

    private static final Map<String, ManagedChannel> CHANNELS = new ConcurrentHashMap<>();

    private TestGrpc() {
    }

    /** The broker's gRPC (HTTPS) port in this test run. */
    public static int port() {
        return ConfigProvider.getConfig().getValue("quarkus.http.test-ssl-port", Integer.class);
    }

    /** A channel presenting {@code identity}'s certificate (none for {@link TestIdentity#NONE}). */
    public static ManagedChannel channel(TestIdentity identity) {
        int port = port();
        return CHANNELS.computeIfAbsent(identity + "@" + port, k -> newChannel(identity, port, "rcm-tests/1.0"));
    }

    /**
     * A channel for a {@code role} of a tenant of the test's own, its certificate issued on first
     * use: for tenant-wide operations (a legacy migration, say) that must see only the test's portals.
     */
    public static ManagedChannel channel(String tenant, String role) {
        int port = port();
        return CHANNELS.computeIfAbsent(tenant + "/" + role + "@" + port, k -> {
            Path pki = TestEnvironment.pkiDir();
            String name = "own-" + tenant + "-" + role;
            synchronized (TestGrpc.class) {
                if (!Files.exists(pki.resolve(name + ".crt"))) {
                    LocalPki.load(pki, TestEnvironment.TRUST_DOMAIN).client(name, tenant, role);
                }
            }
            try {
                return NettyChannelBuilder.forAddress("localhost", port)
                        .sslContext(GrpcSslContexts.forClient().trustManager(pki.resolve("ca.crt").toFile())
                                .keyManager(pki.resolve(name + ".crt").toFile(), pki.resolve(name + ".key").toFile())
                                .build())
                        .userAgent("rcm-tests/1.0")
                        .build();
            } catch (SSLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** A new channel that the caller closes; for tests that need their own connection. */
    public static ManagedChannel newChannel(TestIdentity identity, int port, String userAgent) {
        return NettyChannelBuilder.forAddress("localhost", port)
                .sslContext(sslContext(identity))
                .userAgent(userAgent)
                .build();
    }

    public static void shutdown(ManagedChannel channel) throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** The client TLS context (ALPN h2) presenting {@code identity}'s certificate, for channels and plain HTTP/2 clients. */
    public static SslContext sslContext(TestIdentity identity) {
        Path pki = TestEnvironment.pkiDir();
        try {
            SslContextBuilder builder = GrpcSslContexts.forClient().trustManager(pki.resolve("ca.crt").toFile());
            if (identity != TestIdentity.NONE) {
                builder.keyManager(identity.certFile(pki).toFile(), identity.keyFile(pki).toFile());
            }
            return builder.build();
        } catch (SSLException e) {
            throw new IllegalStateException(e);
        }
    }
}
