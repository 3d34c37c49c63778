package org.rcm.credentials.secretstore;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The Secrets Manager store's tests again, every call signed by a session of the tenant role ({@link TenantSessions}). */
@QuarkusTest
@TestProfile(TenantSessionsTest.TenantRole.class)
class SecretsManagerSecretStoreTenantRoleTest extends SecretsManagerSecretStoreTest {
}
