package org.rcm.credentials.support;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Points every {@code @QuarkusTest} at the {@link TestEnvironment}. */
@QuarkusTestResource(value = BrokerTestResource.class, restrictToAnnotatedClass = false)
public class BrokerTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return TestEnvironment.brokerConfig();
    }

    @Override
    public void stop() {
        // the environment lives as long as the JVM: restarts of the application reuse it
    }
}
