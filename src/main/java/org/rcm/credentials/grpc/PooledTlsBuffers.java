package org.rcm.credentials.grpc;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.JdkSSLEngineOptions;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Serves TLS from Netty's pooled heap buffers.
 *
 * <p>With the JDK's TLS engine, Netty encrypts every TLS record into a fresh buffer of the
 * engine's full packet size (about 16.7 KB), however small the record. Vert.x takes those
 * from an allocator that pools direct buffers only, so each one was new garbage: one or two
 * per call at low load. Vert.x's own option pools them (its Javadoc recommends it); other
 * engines, which manage their buffers themselves, are left as they are.
 */
@ApplicationScoped
class PooledTlsBuffers implements HttpServerOptionsCustomizer {

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        if (options.getSslEngineOptions() == null) {
            options.setSslEngineOptions(new JdkSSLEngineOptions().setPooledHeapBuffers(true));
        } else if (options.getSslEngineOptions() instanceof JdkSSLEngineOptions jdk) {
            options.setSslEngineOptions(jdk.copy().setPooledHeapBuffers(true));
        }
    }
}
