package org.rcm.credentials.support;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;

/** Points every {@code @QuarkusTest} at the {@link TestEnvironment}. */
@QuarkusTestResource(value = BrokerTestResource.class, restrictToAnnotatedClass = false)
public class BrokerTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(TestEnvironment.brokerConfig());
        // The packaged application (*IT) ignores quarkus.management.test-port: give it a free port.
        config.put("quarkus.management.port", String.valueOf(freePort()));
        return config;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        // the environment lives as long as the JVM: restarts of the application reuse it
    }
}
