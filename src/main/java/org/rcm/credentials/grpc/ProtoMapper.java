package org.rcm.credentials.grpc;

import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.rcm.credentials.api.v1.CredentialSource;
import org.rcm.credentials.api.v1.Credentials;
import org.rcm.credentials.api.v1.GetCredentialsResponse;
import org.rcm.credentials.api.v1.ListRevokedCertificatesResponse;
import org.rcm.credentials.api.v1.MigrateLegacyCredentialsRequest;
import org.rcm.credentials.api.v1.MigrateLegacyCredentialsResponse;
import org.rcm.credentials.api.v1.PasswordPolicy;
import org.rcm.credentials.api.v1.PurgeLegacyCredentialsRequest;
import org.rcm.credentials.api.v1.PurgeLegacyCredentialsResponse;
import org.rcm.credentials.api.v1.RegisterEndpointRequest;
import org.rcm.credentials.api.v1.RevokeClientCertificateResponse;
import org.rcm.credentials.api.v1.RevokedCertificate;
import org.rcm.credentials.api.v1.RotateCredentialsRequest;
import org.rcm.credentials.api.v1.RotateCredentialsResponse;
import org.rcm.credentials.api.v1.RotationStatus;
import org.rcm.credentials.api.v1.SecretBackend;
import org.rcm.credentials.api.v1.StoreCredentialsRequest;
import org.rcm.credentials.api.v1.StoreCredentialsResponse;
import org.rcm.credentials.credential.Requests;
import org.rcm.credentials.credential.Results;
import org.rcm.credentials.endpoint.RotationState;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.legacy.LegacyMigration;
import org.rcm.credentials.rotation.PasswordGenerator;
import org.rcm.credentials.rotation.Rotated;
import org.rcm.credentials.rotation.RotationRequest;
import org.rcm.credentials.secretstore.SecretValue;
import org.rcm.credentials.tenant.RevocationList;

/** Between the wire (protobuf) and the domain. Unknown enum values are invalid input. */
final class ProtoMapper {

    private ProtoMapper() {
    }

    static Requests.Register register(RegisterEndpointRequest request) {
        return new Requests.Register(request.getPortalId(), request.getName(), request.getPortalType(),
                request.getLegacyConfigJson().isEmpty() ? null : request.getLegacyConfigJson());
    }

    static Requests.Store store(StoreCredentialsRequest request) {
        return new Requests.Store(request.getPortalId(), secretValue(request.getCredentials()),
                backend(request.getBackend()), request.getIdempotencyKey());
    }

    static RotationRequest rotate(RotateCredentialsRequest request) {
        PasswordPolicy policy = request.getPasswordPolicy();
        return new RotationRequest(request.getPortalId(), secretValue(request.getNewCredentials()),
                new PasswordGenerator.Policy(policy.getLength(), policy.getExcludeSymbols(), policy.getExcludeCharacters()),
                request.getIdempotencyKey());
    }

    static LegacyMigration.Migrate migrate(MigrateLegacyCredentialsRequest request) {
        return new LegacyMigration.Migrate(request.getDryRun(), request.getLimit(), backend(request.getBackend()),
                request.getStartAfter());
    }

    static MigrateLegacyCredentialsResponse migrateResponse(LegacyMigration.Migrated migrated) {
        return MigrateLegacyCredentialsResponse.newBuilder()
                .setMigrated(migrated.migrated())
                .setSkipped(migrated.skipped())
                .setFailed(migrated.failedPortalIds().size())
                .addAllFailedPortalIds(migrated.failedPortalIds())
                .setLastPortalId(Objects.requireNonNullElse(migrated.lastPortalId(), ""))
                .build();
    }

    static LegacyMigration.Purge purge(PurgeLegacyCredentialsRequest request) {
        return new LegacyMigration.Purge(request.getDryRun(), request.getLimit(), request.getStartAfter());
    }

    static PurgeLegacyCredentialsResponse purgeResponse(LegacyMigration.Purged purged) {
        return PurgeLegacyCredentialsResponse.newBuilder()
                .setPurged(purged.purged())
                .setKeptUnverified(purged.keptUnverified())
                .setLastPortalId(Objects.requireNonNullElse(purged.lastPortalId(), ""))
                .build();
    }

    static RevokeClientCertificateResponse revokeResponse(RevocationList.Revoked revoked) {
        return RevokeClientCertificateResponse.newBuilder()
                .setRevokedAt(timestamp(revoked.revokedAt()))
                .setAlreadyRevoked(revoked.alreadyRevoked())
                .build();
    }

    static ListRevokedCertificatesResponse revokedList(List<RevocationList.Entry> entries) {
        ListRevokedCertificatesResponse.Builder response = ListRevokedCertificatesResponse.newBuilder();
        for (RevocationList.Entry entry : entries) {
            response.addRevoked(RevokedCertificate.newBuilder()
                    .setFingerprintSha256(Objects.requireNonNullElse(entry.fingerprint(), ""))
                    .setSerialNumber(Objects.requireNonNullElse(entry.serialNumber(), ""))
                    .setIssuer(Objects.requireNonNullElse(entry.issuer(), ""))
                    .setReason(Objects.requireNonNullElse(entry.reason(), ""))
                    .setRevokedBy(entry.revokedBy())
                    .setRevokedAt(timestamp(entry.revokedAt())));
        }
        return response.build();
    }

    static GetCredentialsResponse getResponse(Results.CredentialRead read) {
        GetCredentialsResponse.Builder response = GetCredentialsResponse.newBuilder()
                .setCredentials(credentials(read.credentials()))
                .setSource(switch (read.source()) {
                    case SECRET_STORE -> CredentialSource.CREDENTIAL_SOURCE_SECRET_STORE;
                    case LEGACY_CONFIG -> CredentialSource.CREDENTIAL_SOURCE_LEGACY_CONFIG;
                })
                .setVersion(read.version())
                .setRotationStatus(rotationStatus(read.rotationStatus()));
        if (read.lastRotatedAt() != null) {
            response.setLastRotatedAt(timestamp(read.lastRotatedAt()));
        }
        return response.build();
    }

    static StoreCredentialsResponse storeResponse(Results.Stored stored) {
        return StoreCredentialsResponse.newBuilder()
                .setVersion(stored.version())
                .setStoredAt(timestamp(stored.storedAt()))
                .setRotationStatus(rotationStatus(stored.rotationStatus()))
                .build();
    }

    static RotateCredentialsResponse rotateResponse(Rotated rotated) {
        RotateCredentialsResponse.Builder response = RotateCredentialsResponse.newBuilder()
                .setSuccess(rotated.success())
                .setRotationStatus(rotationStatus(rotated.rotationStatus()))
                .setVersion(rotated.version())
                .setError(rotated.error());
        if (rotated.rotatedAt() != null) {
            response.setRotatedAt(timestamp(rotated.rotatedAt()));
        }
        return response.build();
    }

    static SecretValue secretValue(Credentials credentials) {
        return new SecretValue(credentials.getUsername(), credentials.getPassword(), credentials.getMfaSeed(),
                credentials.getMetadataMap());
    }

    static Credentials credentials(SecretValue value) {
        return Credentials.newBuilder()
                .setUsername(value.username())
                .setPassword(value.password())
                .setMfaSeed(value.mfaSeed())
                .putAllMetadata(value.metadata())
                .build();
    }

    /** The request's backend; null means the server's default. */
    private static org.rcm.credentials.secretstore.SecretBackend backend(SecretBackend backend) {
        return switch (backend) {
            case SECRET_BACKEND_UNSPECIFIED -> null;
            case SECRET_BACKEND_SSM_PARAMETER_STORE -> org.rcm.credentials.secretstore.SecretBackend.SSM_PARAMETER_STORE;
            case SECRET_BACKEND_SECRETS_MANAGER -> org.rcm.credentials.secretstore.SecretBackend.SECRETS_MANAGER;
            case UNRECOGNIZED -> throw BrokerException.invalidInput("INVALID_BACKEND", "backend is not a known SecretBackend");
        };
    }

    static RotationStatus rotationStatus(RotationState state) {
        return switch (state) {
            case NONE -> RotationStatus.ROTATION_STATUS_UNSPECIFIED;
            case ACTIVE -> RotationStatus.ROTATION_STATUS_ACTIVE;
            case FAILED -> RotationStatus.ROTATION_STATUS_FAILED;
            case PENDING -> RotationStatus.ROTATION_STATUS_PENDING;
        };
    }

    static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }
}
