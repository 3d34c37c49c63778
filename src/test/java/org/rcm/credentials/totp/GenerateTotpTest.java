package org.rcm.credentials.totp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.rcm.credentials.support.AuditLog.last;
import static org.rcm.credentials.support.Broker.credentials;
import static org.rcm.credentials.support.Broker.newPortal;

import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.Credentials;
import org.rcm.credentials.api.v1.GenerateTotpRequest;
import org.rcm.credentials.api.v1.GenerateTotpResponse;
import org.rcm.credentials.api.v1.StoreCredentialsRequest;
import org.rcm.credentials.credential.TotpSettings;
import org.rcm.credentials.support.AuditLog;
import org.rcm.credentials.support.Await;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.TestIdentity;

/**
 * Workers get TOTP codes, never the seed, each audited; with time left to type them (the next
 * step's code, waited for), and, when asked, a step of their own.
 */
@QuarkusTest
class GenerateTotpTest {

    private static final TestIdentity ADMIN = TestIdentity.TENANT_A_ADMIN;

    @Test
    void workerGetsTheCurrentCodeOfTheStoredSeed() {
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "pw");

        GenerateTotpResponse totp = credentials(TestIdentity.TENANT_A_WORKER)
                .generateTotp(GenerateTotpRequest.newBuilder().setPortalId(portal).build());

        Instant validUntil = Instant.ofEpochSecond(totp.getValidUntil().getSeconds());
        String expected = new TotpGenerator().generate("JBSWY3DPEHPK3PXP", validUntil.minusSeconds(1)).code();
        assertEquals(expected, totp.getCode());
        assertThat(validUntil).isAfter(Instant.now().minusSeconds(1)).isBefore(Instant.now().plusSeconds(31));
        assertEquals(30, totp.getPeriodSeconds());
        assertEquals(validUntil.getEpochSecond() / 30 - 1, totp.getStep());
        assertEquals(validUntil.minusSeconds(30).getEpochSecond(), totp.getValidFrom().getSeconds());
        AuditLog.Row row = last(AuditLog.rows("tenant-a", portal));
        assertEquals("totp", row.accessType());
        assertEquals(true, row.success());
    }

    @Test
    void withTooLittleTimeLeftTheAnswerIsTheNextStepsCodeOnceItStarts() throws Exception {
        String portal = tenSecondPortal();
        Await.until(Duration.ofSeconds(15), () -> secondsLeftInStep(10) >= 2 && secondsLeftInStep(10) <= 4);
        long step = Instant.now().getEpochSecond() / 10;

        GenerateTotpResponse totp = credentials(TestIdentity.TENANT_A_WORKER).generateTotp(GenerateTotpRequest.newBuilder()
                .setPortalId(portal).setMinRemainingSeconds(5).build());

        assertEquals(step + 1, totp.getStep());
        assertThat(Instant.now()).isAfterOrEqualTo(Instant.ofEpochSecond((step + 1) * 10));
        TotpSettings settings = TotpSettings.of(Map.of("totp_period", "10"));
        assertEquals(new TotpGenerator().generate("JBSWY3DPEHPK3PXP", settings, step + 1).code(), totp.getCode());
    }

    @Test
    void aDeadlineShorterThanTheWaitFailsAtOnce() throws Exception {
        String portal = tenSecondPortal();
        Await.until(Duration.ofSeconds(15), () -> secondsLeftInStep(10) >= 3 && secondsLeftInStep(10) <= 8);
        long started = System.nanoTime();

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> credentials(TestIdentity.TENANT_A_WORKER)
                .withDeadlineAfter(2, TimeUnit.SECONDS)
                .generateTotp(GenerateTotpRequest.newBuilder().setPortalId(portal).setMinRemainingSeconds(9).build()));

        assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
        assertEquals("the next TOTP step starts after the call's deadline; call again with a longer deadline",
                e.getStatus().getDescription());
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void anExclusiveStepGoesToOneCallerTheOtherIsToldWhenTheNextStarts() throws Exception {
        String portal = tenSecondPortal();
        Await.until(Duration.ofSeconds(15), () -> secondsLeftInStep(10) >= 4);
        GenerateTotpRequest exclusive = GenerateTotpRequest.newBuilder().setPortalId(portal).setExclusive(true).build();

        List<Object> answers = Stream.of(TestIdentity.TENANT_A_WORKER, TestIdentity.TENANT_A_ADMIN).parallel()
                .map(identity -> {
                    try {
                        return (Object) credentials(identity).generateTotp(exclusive);
                    } catch (StatusRuntimeException refused) {
                        return refused;
                    }
                }).toList();

        assertThat(answers).filteredOn(GenerateTotpResponse.class::isInstance).hasSize(1);
        StatusRuntimeException refused = (StatusRuntimeException) answers.stream()
                .filter(StatusRuntimeException.class::isInstance).findFirst().orElseThrow();
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode());
        RetryInfo retry = StatusProto.fromThrowable(refused).getDetailsList().stream()
                .filter(any -> any.is(RetryInfo.class)).findFirst().orElseThrow().unpack(RetryInfo.class);
        assertThat(retry.getRetryDelay().getSeconds()).isBetween(0L, 10L);
    }

    @Test
    void totpSettingsAreCheckedWhenStoredAndTheWaitWhenAsked() {
        String portal = newPortal();
        Broker.register(ADMIN, portal);

        StatusRuntimeException digits = assertThrows(StatusRuntimeException.class, () -> credentials(ADMIN)
                .storeCredentials(StoreCredentialsRequest.newBuilder().setPortalId(portal).setCredentials(
                        Broker.credentialsWith("pw").toBuilder().putMetadata("totp_digits", "7")).build()));
        String stored = tenSecondPortal();
        StatusRuntimeException wait = assertThrows(StatusRuntimeException.class, () -> credentials(ADMIN)
                .generateTotp(GenerateTotpRequest.newBuilder().setPortalId(stored).setMinRemainingSeconds(10).build()));

        assertEquals(Status.Code.INVALID_ARGUMENT, digits.getStatus().getCode());
        assertEquals("credentials.metadata.totp_digits must be 6 or 8", digits.getStatus().getDescription());
        assertEquals(Status.Code.INVALID_ARGUMENT, wait.getStatus().getCode());
    }

    /** A portal of tenant-a whose codes come in 10-second steps. */
    private static String tenSecondPortal() {
        String portal = newPortal();
        Broker.register(ADMIN, portal);
        credentials(ADMIN).storeCredentials(StoreCredentialsRequest.newBuilder().setPortalId(portal).setCredentials(
                Broker.credentialsWith("pw").toBuilder().putMetadata("totp_period", "10")).build());
        return portal;
    }

    private static long secondsLeftInStep(int period) {
        return period - Instant.now().getEpochSecond() % period;
    }

    @Test
    void portalWithoutASeedIsNotFound() {
        String portal = newPortal();
        Broker.register(ADMIN, portal);
        credentials(ADMIN).storeCredentials(StoreCredentialsRequest.newBuilder().setPortalId(portal)
                .setCredentials(Credentials.newBuilder().setUsername("u").setPassword("p")).build());

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> credentials(ADMIN)
                .generateTotp(GenerateTotpRequest.newBuilder().setPortalId(portal).build()));

        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        assertEquals("portal " + portal + " has no mfa_seed", e.getStatus().getDescription());
    }
}
