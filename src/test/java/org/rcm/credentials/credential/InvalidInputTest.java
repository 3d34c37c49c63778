package org.rcm.credentials.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.rcm.credentials.support.Broker.admin;
import static org.rcm.credentials.support.Broker.credentials;
import static org.rcm.credentials.support.Broker.credentialsWith;

import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rcm.credentials.api.v1.BeginRotationRequest;
import org.rcm.credentials.api.v1.CompleteRotationRequest;
import org.rcm.credentials.api.v1.Credentials;
import org.rcm.credentials.api.v1.DeleteCredentialsRequest;
import org.rcm.credentials.api.v1.GenerateTotpRequest;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.api.v1.ListDueRotationsRequest;
import org.rcm.credentials.api.v1.LoginOutcome;
import org.rcm.credentials.api.v1.MigrateLegacyCredentialsRequest;
import org.rcm.credentials.api.v1.PasswordPolicy;
import org.rcm.credentials.api.v1.PurgeLegacyCredentialsRequest;
import org.rcm.credentials.api.v1.QueryAccessLogRequest;
import org.rcm.credentials.api.v1.RegisterEndpointRequest;
import org.rcm.credentials.api.v1.ReportLoginOutcomeRequest;
import org.rcm.credentials.api.v1.RotateCredentialsRequest;
import org.rcm.credentials.api.v1.SecretBackend;
import org.rcm.credentials.api.v1.SetRotationScheduleRequest;
import org.rcm.credentials.api.v1.StoreCredentialsRequest;
import org.rcm.credentials.api.v1.VerifyAuditLogRequest;
import org.rcm.credentials.local.aws.LocalAwsControl;
import org.rcm.credentials.support.AuditLog;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.Db;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestIdentity;

/**
 * Malformed input: INVALID_ARGUMENT with a clear message that does not echo the value, and
 * nothing changed — no endpoint change, no AWS call, only the call's own audit row. Each case
 * aims at a registered portal with stored credentials, so that a missing check would show.
 */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InvalidInputTest {

    private static final TestIdentity ADMIN = TestIdentity.TENANT_A_ADMIN;
    private static final String TENANT = "tenant-a";
    private static final String PORTAL = "portal-invalid-" + UUID.randomUUID();

    private final LocalAwsControl aws = new LocalAwsControl(TestEnvironment.awsUri());

    @BeforeAll
    void storeCredentials() {
        Broker.registerAndStore(ADMIN, PORTAL, "pw");
    }

    static Stream<Arguments> invalidCalls() {
        return Stream.of(
                get("empty portal id", ""),
                get("portal id of 129 characters", "p".repeat(129)),
                get("portal id with a slash", "a/b"),
                get("portal id '..'", ".."),
                get("portal id with a space", "a b"),
                get("portal id with non-ASCII letters", "pörtal"),
                get("portal id with a NUL", "a\u0000b"),
                store("no username", credentialsWith("pw").toBuilder().setUsername("")),
                store("no password", credentialsWith("").toBuilder()),
                store("secret over the SSM limit", credentialsWith("x".repeat(4100)).toBuilder()),
                storeRequest("secret over the Secrets Manager limit", StoreCredentialsRequest.newBuilder()
                        .setPortalId(PORTAL).setCredentials(credentialsWith("x".repeat(66_000)))
                        .setBackend(SecretBackend.SECRET_BACKEND_SECRETS_MANAGER)),
                store("mfa seed that is not base32", credentialsWith("pw").toBuilder().setMfaSeed("not-base32!")),
                store("mfa seed of 75 bits", credentialsWith("pw").toBuilder().setMfaSeed("JBSWY3DPEHPK3PX")),
                store("mfa seed of 40 bits with padding", credentialsWith("pw").toBuilder().setMfaSeed("JBSWY3DP========")),
                storeRequest("unknown backend", StoreCredentialsRequest.newBuilder()
                        .setPortalId(PORTAL).setCredentials(credentialsWith("pw")).setBackendValue(99)),
                store("metadata key with bad characters", credentialsWith("pw").toBuilder().putMetadata("bad key!", "v")),
                store("too many metadata entries", credentialsWith("pw").toBuilder().putAllMetadata(manyEntries(33))),
                store("username with a control character", credentialsWith("pw").toBuilder().setUsername("user\u0007")),
                store("password longer than 1024 characters", credentialsWith("p".repeat(1025)).toBuilder()),
                storeRequest("idempotency key of 129 characters", StoreCredentialsRequest.newBuilder()
                        .setPortalId(PORTAL).setCredentials(credentialsWith("pw")).setIdempotencyKey("k".repeat(129))),
                storeRequest("idempotency key with a space", StoreCredentialsRequest.newBuilder()
                        .setPortalId(PORTAL).setCredentials(credentialsWith("pw")).setIdempotencyKey("a key")),
                rotate("password length 5", PasswordPolicy.newBuilder().setLength(5)),
                rotate("password length 500", PasswordPolicy.newBuilder().setLength(500)),
                rotate("negative password length", PasswordPolicy.newBuilder().setLength(-1)),
                rotate("exclusions that empty the digits", PasswordPolicy.newBuilder().setExcludeCharacters("0123456789")),
                rotate("exclusions that leave 39 characters", PasswordPolicy.newBuilder().setExcludeSymbols(true)
                        .setExcludeCharacters("ABCDEFGHIJKLMNOPQRSTUVW")),
                rotate("exclusions longer than 128 characters", PasswordPolicy.newBuilder().setExcludeCharacters("!".repeat(129))),
                call("rotation with a bad mfa seed", () -> credentials(ADMIN).rotateCredentials(RotateCredentialsRequest
                        .newBuilder().setPortalId(PORTAL)
                        .setNewCredentials(Credentials.newBuilder().setMfaSeed("1nv@lid")).build())),
                register("config that is not JSON", "{not json"),
                register("config that is a JSON array", "[1, 2]"),
                register("config whose credentials are not an object", "{\"credentials\": \"pw\"}"),
                register("config larger than 64 KiB", "{\"pad\": \"" + "x".repeat(70_000) + "\"}"),
                register("config with data after the object", "{\"a\": 1} x"),
                register("config with a second object after the first", "{\"a\": 1} {\"b\": 2}"),
                register("config with a duplicate key", "{\"a\": 1, \"a\": 2}"),
                register("config with a \\u0000 escape", "{\"a\": \"x\\u0000y\"}"),
                register("config with a \\u0000 escape in a key", "{\"x\\u0000\": 1}"),
                register("config with a lone surrogate", "{\"a\": \"\\ud800\"}"),
                register("config with a lone low surrogate in credentials",
                        "{\"credentials\": {\"username\": \"u\", \"password\": \"\\udc00\"}}"),
                register("config whose password is a number", "{\"credentials\": {\"username\": \"u\", \"password\": 5}}"),
                register("config whose metadata value is a number",
                        "{\"credentials\": {\"username\": \"u\", \"password\": \"p\", \"metadata\": {\"k\": 1}}}"),
                register("config whose credentials have an unknown field",
                        "{\"credentials\": {\"username\": \"u\", \"password\": \"p\", \"pin\": \"1234\"}}"),
                register("config whose credentials lack a password", "{\"credentials\": {\"username\": \"u\"}}"),
                call("migration with a negative limit", () -> admin(ADMIN).migrateLegacyCredentials(
                        MigrateLegacyCredentialsRequest.newBuilder().setLimit(-1).build())),
                call("migration to an unknown backend", () -> admin(ADMIN).migrateLegacyCredentials(
                        MigrateLegacyCredentialsRequest.newBuilder().setBackendValue(99).build())),
                call("migration starting after a bad portal id", () -> admin(ADMIN).migrateLegacyCredentials(
                        MigrateLegacyCredentialsRequest.newBuilder().setStartAfter("../x").build())),
                call("purge with a negative limit", () -> admin(ADMIN).purgeLegacyCredentials(
                        PurgeLegacyCredentialsRequest.newBuilder().setLimit(-5).build())),
                call("purge starting after a bad portal id", () -> admin(ADMIN).purgeLegacyCredentials(
                        PurgeLegacyCredentialsRequest.newBuilder().setStartAfter("a b").build())),
                call("register without a name", () -> admin(ADMIN).registerEndpoint(RegisterEndpointRequest.newBuilder()
                        .setPortalId(PORTAL).setName("").setPortalType("insurance").build())),
                call("register with a bad portal type", () -> admin(ADMIN).registerEndpoint(RegisterEndpointRequest
                        .newBuilder().setPortalId(PORTAL).setName("n").setPortalType("in surance").build())),
                call("register with a name of 257 characters", () -> admin(ADMIN).registerEndpoint(RegisterEndpointRequest
                        .newBuilder().setPortalId(PORTAL).setName("n".repeat(257)).setPortalType("insurance").build())),
                call("delete with a bad portal id", () -> credentials(ADMIN).deleteCredentials(
                        DeleteCredentialsRequest.newBuilder().setPortalId("../etc").build())),
                call("begin a rotation of a bad portal id", () -> credentials(ADMIN).beginRotation(
                        BeginRotationRequest.newBuilder().setPortalId("a/b").build())),
                call("begin a rotation with a password of 5 characters", () -> credentials(ADMIN).beginRotation(
                        BeginRotationRequest.newBuilder().setPortalId(PORTAL)
                                .setPasswordPolicy(PasswordPolicy.newBuilder().setLength(5)).build())),
                call("begin a rotation with an idempotency key with a space", () -> credentials(ADMIN).beginRotation(
                        BeginRotationRequest.newBuilder().setPortalId(PORTAL).setIdempotencyKey("a b").build())),
                call("complete a rotation id that is no UUID", () -> credentials(ADMIN).completeRotation(
                        CompleteRotationRequest.newBuilder().setPortalId(PORTAL).setRotationId("../1").build())),
                call("complete with a failure reason of 257 characters", () -> credentials(ADMIN).completeRotation(
                        CompleteRotationRequest.newBuilder().setPortalId(PORTAL).setRotationId(UUID.randomUUID().toString())
                                .setFailureReason("r".repeat(257)).build())),
                call("schedule every 3651 days", () -> admin(ADMIN).setRotationSchedule(SetRotationScheduleRequest
                        .newBuilder().setPortalId(PORTAL).setRotationIntervalDays(3651).build())),
                call("schedule with an address that ends a mail header", () -> admin(ADMIN).setRotationSchedule(
                        SetRotationScheduleRequest.newBuilder().setPortalId(PORTAL)
                                .addNotificationEmails("ops@example.test\r\nBcc: x@y.test").build())),
                call("due rotations, pages of -1", () -> admin(ADMIN).listDueRotations(
                        ListDueRotationsRequest.newBuilder().setPageSize(-1).build())),
                call("a TOTP code with -1 s left", () -> credentials(ADMIN).generateTotp(
                        GenerateTotpRequest.newBuilder().setPortalId(PORTAL).setMinRemainingSeconds(-1).build())),
                call("a login report without a version", () -> credentials(ADMIN).reportLoginOutcome(
                        ReportLoginOutcomeRequest.newBuilder().setPortalId(PORTAL)
                                .setOutcome(LoginOutcome.LOGIN_OUTCOME_AUTH_FAILED).build())),
                call("a login report without an outcome", () -> credentials(ADMIN).reportLoginOutcome(
                        ReportLoginOutcomeRequest.newBuilder().setPortalId(PORTAL).setVersion(1).build())),
                call("the access log in pages of 1001", () -> admin(ADMIN).queryAccessLog(
                        QueryAccessLogRequest.newBuilder().setPageSize(1001).build())),
                call("the access log from a made-up page token", () -> admin(ADMIN).queryAccessLog(
                        QueryAccessLogRequest.newBuilder().setPageToken("MTIzLjQ1Ni43OC5hYmNk").build())),
                call("the audit log verified from after its end", () -> admin(ADMIN).verifyAuditLog(
                        VerifyAuditLogRequest.newBuilder().setSince(Timestamp.newBuilder().setSeconds(4_000_000_000L))
                                .setUntil(Timestamp.newBuilder().setSeconds(3_000_000_000L)).build())),
                call("the audit log verified from a time out of range", () -> admin(ADMIN).verifyAuditLog(
                        VerifyAuditLogRequest.newBuilder().setSince(Timestamp.newBuilder().setNanos(-1)).build())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidCalls")
    void isRefusedAndChangesNothing(String name, Runnable call) {
        Map<String, Object> before = Db.endpoint(TENANT, PORTAL);
        long auditRows = AuditLog.count(TENANT);
        aws.resetCalls();

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);

        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertThat(e.getStatus().getDescription()).isNotBlank().doesNotContain("xxxxxxxx").doesNotContain("\u0000");
        assertEquals(before, Db.endpoint(TENANT, PORTAL));
        assertThat(aws.calls()).isEmpty();
        assertEquals(auditRows + 1, AuditLog.count(TENANT));
        AuditLog.Row row = AuditLog.last(TENANT);
        assertEquals(false, row.success());
        assertThat(row.errorMessage()).startsWith("INVALID_ARGUMENT: ");
    }

    private static Arguments get(String name, String portal) {
        return call(name, () -> credentials(ADMIN).getCredentials(GetCredentialsRequest.newBuilder().setPortalId(portal).build()));
    }

    private static Arguments store(String name, Credentials.Builder credentials) {
        return storeRequest(name, StoreCredentialsRequest.newBuilder().setPortalId(PORTAL).setCredentials(credentials));
    }

    private static Arguments storeRequest(String name, StoreCredentialsRequest.Builder request) {
        return call(name, () -> credentials(ADMIN).storeCredentials(request.build()));
    }

    private static Arguments rotate(String name, PasswordPolicy.Builder policy) {
        return call(name, () -> credentials(ADMIN).rotateCredentials(RotateCredentialsRequest.newBuilder()
                .setPortalId(PORTAL).setPasswordPolicy(policy).build()));
    }

    private static Arguments register(String name, String config) {
        return call(name, () -> admin(ADMIN).registerEndpoint(RegisterEndpointRequest.newBuilder()
                .setPortalId(PORTAL).setName("n").setPortalType("insurance").setLegacyConfigJson(config).build()));
    }

    private static Arguments call(String name, Runnable call) {
        return Arguments.of(name, call);
    }

    private static Map<String, String> manyEntries(int n) {
        Map<String, String> entries = new java.util.HashMap<>();
        IntStream.range(0, n).forEach(i -> entries.put("k" + i, "v"));
        return entries;
    }
}
