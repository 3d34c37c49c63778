package org.rcm.credentials.support;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;
import org.rcm.credentials.local.LocalBroker;

/** Points every {@code @QuarkusTest} at the {@link TestEnvironment}. */
@QuarkusTestResource(value = BrokerTestResource.class, restrictToAnnotatedClass = false)
public class BrokerTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(TestEnvironment.brokerConfig());
        // The packaged application (*IT) ignores quarkus.management.test-port: give it a free port.
        int managementPort = LocalBroker.freePort();
        config.put("quarkus.management.port", String.valueOf(managementPort));
        System.setProperty(Management.PACKAGED_PORT, String.valueOf(managementPort));
        return config;
    }

    @Override
    public void stop() {
        // the environment lives as long as the JVM: restarts of the application reuse it
    }
}
