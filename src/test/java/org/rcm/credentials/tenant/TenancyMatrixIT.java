package org.rcm.credentials.tenant;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link TenancyMatrixTest} against the packaged application. */
@QuarkusIntegrationTest
class TenancyMatrixIT extends TenancyMatrixTest {
}
