package org.rcm.credentials.support;

import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.eclipse.microprofile.config.ConfigProvider;

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

    private static SslContext sslContext(TestIdentity identity) {
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
