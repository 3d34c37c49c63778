package org.rcm.credentials.grpc;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link GrpcServingTest} against the packaged application. */
@QuarkusIntegrationTest
class GrpcServingIT extends GrpcServingTest {
}
