package org.rcm.credentials.grpc;

import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import org.rcm.credentials.api.v1.BeginRotationRequest;
import org.rcm.credentials.api.v1.BeginRotationResponse;
import org.rcm.credentials.api.v1.CompleteRotationRequest;
import org.rcm.credentials.api.v1.CompleteRotationResponse;
import org.rcm.credentials.api.v1.CredentialService;
import org.rcm.credentials.api.v1.DeleteCredentialsRequest;
import org.rcm.credentials.api.v1.DeleteCredentialsResponse;
import org.rcm.credentials.api.v1.GenerateTotpRequest;
import org.rcm.credentials.api.v1.GenerateTotpResponse;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.api.v1.GetCredentialsResponse;
import org.rcm.credentials.api.v1.LoginOutcome;
import org.rcm.credentials.api.v1.ReportLoginOutcomeRequest;
import org.rcm.credentials.api.v1.ReportLoginOutcomeResponse;
import org.rcm.credentials.api.v1.RotateCredentialsRequest;
import org.rcm.credentials.api.v1.RotateCredentialsResponse;
import org.rcm.credentials.api.v1.StoreCredentialsRequest;
import org.rcm.credentials.api.v1.StoreCredentialsResponse;
import org.rcm.credentials.credential.CredentialReader;
import org.rcm.credentials.credential.CredentialWriter;
import org.rcm.credentials.credential.LoginReports;
import org.rcm.credentials.rotation.CredentialRotation;
import org.rcm.credentials.rotation.WorkerRotation;
import org.rcm.credentials.totp.TotpCodes;

/**
 * {@code rcm.credentials.v1.CredentialService}: maps requests, delegates to the credential
 * reader, writer, rotation and TOTP codes, maps responses. Mapping runs inside the returned Uni, so that
 * invalid input fails the call like any other error (and is audited).
 */
@GrpcService
public class CredentialGrpcService implements CredentialService {

    private final CredentialReader reader;
    private final CredentialWriter writer;
    private final CredentialRotation rotation;
    private final TotpCodes totp;
    private final WorkerRotation workerRotation;
    private final LoginReports logins;

    public CredentialGrpcService(CredentialReader reader, CredentialWriter writer, CredentialRotation rotation,
            TotpCodes totp, WorkerRotation workerRotation, LoginReports logins) {
        this.logins = logins;
        this.reader = reader;
        this.writer = writer;
        this.rotation = rotation;
        this.totp = totp;
        this.workerRotation = workerRotation;
    }

    @Override
    public Uni<StoreCredentialsResponse> storeCredentials(StoreCredentialsRequest request) {
        var caller = CallerInterceptor.current();
        return Uni.createFrom().item(() -> ProtoMapper.store(request))
                .chain(store -> writer.store(caller, store))
                .map(ProtoMapper::storeResponse);
    }

    @Override
    public Uni<GetCredentialsResponse> getCredentials(GetCredentialsRequest request) {
        return reader.get(CallerInterceptor.current(), request.getPortalId(), request.getIncludeMfaSeed())
                .map(ProtoMapper::getResponse);
    }

    @Override
    public Uni<RotateCredentialsResponse> rotateCredentials(RotateCredentialsRequest request) {
        var caller = CallerInterceptor.current();
        return Uni.createFrom().item(() -> ProtoMapper.rotate(request))
                .chain(rotate -> rotation.rotate(caller, rotate))
                .map(ProtoMapper::rotateResponse);
    }

    @Override
    public Uni<DeleteCredentialsResponse> deleteCredentials(DeleteCredentialsRequest request) {
        return writer.delete(CallerInterceptor.current(), request.getPortalId())
                .map(deleted -> DeleteCredentialsResponse.newBuilder().setDeleted(deleted).build());
    }

    @Override
    public Uni<GenerateTotpResponse> generateTotp(GenerateTotpRequest request) {
        var caller = CallerInterceptor.current();
        Duration timeLeft = CallerInterceptor.timeLeft();
        return Uni.createFrom().deferred(() -> totp.code(caller, new TotpCodes.Request(request.getPortalId(),
                        request.getMinRemainingSeconds(), request.getExclusive(), timeLeft)))
                .map(code -> GenerateTotpResponse.newBuilder()
                        .setCode(code.code())
                        .setValidUntil(ProtoMapper.timestamp(code.validUntil()))
                        .setStep(code.step())
                        .setPeriodSeconds(code.periodSeconds())
                        .setValidFrom(ProtoMapper.timestamp(code.validFrom()))
                        .build());
    }

    @Override
    public Uni<ReportLoginOutcomeResponse> reportLoginOutcome(ReportLoginOutcomeRequest request) {
        var caller = CallerInterceptor.current();
        return Uni.createFrom().deferred(() -> logins.report(caller, request.getPortalId(), outcome(request.getOutcome()),
                        request.getVersion(), request.getDetail()))
                .map(report -> ReportLoginOutcomeResponse.newBuilder()
                        .setPaused(report.state().paused())
                        .setConsecutiveFailures(report.state().consecutiveFailures())
                        .setCurrentVersion(report.currentVersion())
                        .build());
    }

    private static LoginReports.Outcome outcome(LoginOutcome outcome) {
        return switch (outcome) {
            case LOGIN_OUTCOME_SUCCESS -> LoginReports.Outcome.SUCCESS;
            case LOGIN_OUTCOME_AUTH_FAILED -> LoginReports.Outcome.AUTH_FAILED;
            case LOGIN_OUTCOME_LOCKED -> LoginReports.Outcome.LOCKED;
            case LOGIN_OUTCOME_MFA_FAILED -> LoginReports.Outcome.MFA_FAILED;
            case LOGIN_OUTCOME_UNSPECIFIED, UNRECOGNIZED -> null;
        };
    }

    @Override
    public Uni<BeginRotationResponse> beginRotation(BeginRotationRequest request) {
        var caller = CallerInterceptor.current();
        return Uni.createFrom().item(() -> RotationMapper.begin(request))
                .chain(begin -> workerRotation.begin(caller, begin))
                .map(RotationMapper::begun);
    }

    @Override
    public Uni<CompleteRotationResponse> completeRotation(CompleteRotationRequest request) {
        var caller = CallerInterceptor.current();
        return Uni.createFrom().deferred(() -> workerRotation.complete(caller, request.getPortalId(), request.getRotationId(),
                        request.getSucceeded(), request.getFailureReason()))
                .map(RotationMapper::completed);
    }
}
