package org.rcm.credentials.credential;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link CredentialLifecycleTest} against the packaged application. */
@QuarkusIntegrationTest
class CredentialLifecycleIT extends CredentialLifecycleTest {
}
