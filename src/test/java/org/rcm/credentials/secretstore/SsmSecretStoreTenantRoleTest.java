package org.rcm.credentials.secretstore;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The SSM store's tests again, every call signed by a session of the tenant role ({@link TenantSessions}). */
@QuarkusTest
@TestProfile(TenantSessionsTest.TenantRole.class)
class SsmSecretStoreTenantRoleTest extends SsmSecretStoreTest {
}
