package org.rcm.credentials.credential;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link InvalidInputTest} against the packaged application. */
@QuarkusIntegrationTest
class InvalidInputIT extends InvalidInputTest {
}
