package org.rcm.credentials.grpc;

import com.google.protobuf.Timestamp;
import java.time.Instant;
import org.rcm.credentials.api.v1.BeginRotationRequest;
import org.rcm.credentials.api.v1.BeginRotationResponse;
import org.rcm.credentials.api.v1.CompleteRotationResponse;
import org.rcm.credentials.api.v1.DueRotation;
import org.rcm.credentials.api.v1.GetRotationScheduleResponse;
import org.rcm.credentials.api.v1.ListDueRotationsResponse;
import org.rcm.credentials.api.v1.PasswordPolicy;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.rotation.PasswordGenerator;
import org.rcm.credentials.rotation.RotationRequest;
import org.rcm.credentials.rotation.Schedules;
import org.rcm.credentials.rotation.WorkerRotation;

/** Maps the rotation workflow's messages (schedules, worker-driven rotations) to and from the domain. */
final class RotationMapper {

    private RotationMapper() {
    }

    static RotationRequest begin(BeginRotationRequest request) {
        return new RotationRequest(request.getPortalId(), ProtoMapper.secretValue(request.getNewCredentials()),
                policy(request.getPasswordPolicy()), request.getIdempotencyKey());
    }

    static PasswordGenerator.Policy policy(PasswordPolicy policy) {
        return new PasswordGenerator.Policy(policy.getLength(), policy.getExcludeSymbols(), policy.getExcludeCharacters());
    }

    static BeginRotationResponse begun(WorkerRotation.Begun begun) {
        return BeginRotationResponse.newBuilder()
                .setRotationId(begun.rotationId().toString())
                .setPendingCredentials(ProtoMapper.credentials(begun.pending()))
                .setPendingVersion(begun.pendingVersion())
                .setExpiresAt(ProtoMapper.timestamp(begun.expiresAt()))
                .build();
    }

    static CompleteRotationResponse completed(WorkerRotation.Completed completed) {
        CompleteRotationResponse.Builder response = CompleteRotationResponse.newBuilder()
                .setRotationStatus(ProtoMapper.rotationStatus(completed.status()))
                .setVersion(completed.version());
        if (completed.rotatedAt() != null) {
            response.setRotatedAt(ProtoMapper.timestamp(completed.rotatedAt()));
        }
        return response.build();
    }

    static GetRotationScheduleResponse schedule(Schedules.Schedule schedule) {
        GetRotationScheduleResponse.Builder response = GetRotationScheduleResponse.newBuilder()
                .setRotationIntervalDays(schedule.intervalDays())
                .setAutoRotate(schedule.autoRotate())
                .addAllNotificationEmails(schedule.emails())
                .setNextRotationAt(ProtoMapper.timestamp(schedule.nextRotationAt()))
                .setLastResult(schedule.lastResult() == null ? "" : schedule.lastResult());
        if (schedule.lastRotatedAt() != null) {
            response.setLastRotatedAt(ProtoMapper.timestamp(schedule.lastRotatedAt()));
        }
        if (schedule.lastResultAt() != null) {
            response.setLastResultAt(ProtoMapper.timestamp(schedule.lastResultAt()));
        }
        return response.build();
    }

    static ListDueRotationsResponse due(Schedules.DuePage page) {
        ListDueRotationsResponse.Builder response = ListDueRotationsResponse.newBuilder()
                .setNextPageToken(page.nextPageToken());
        for (Schedules.Due due : page.due()) {
            response.addDue(DueRotation.newBuilder()
                    .setPortalId(due.portalId())
                    .setNextRotationAt(ProtoMapper.timestamp(due.nextRotationAt()))
                    .setAutoRotate(due.autoRotate()));
        }
        return response.build();
    }

    /** An unset timestamp is null; one out of range is INVALID_ARGUMENT. */
    static Instant instant(String field, boolean set, Timestamp timestamp) {
        if (!set) {
            return null;
        }
        try {
            if (timestamp.getNanos() < 0 || timestamp.getNanos() > 999_999_999) {
                throw new java.time.DateTimeException("nanos");
            }
            return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
        } catch (java.time.DateTimeException e) {
            throw BrokerException.invalidInput("INVALID_" + field.toUpperCase(java.util.Locale.ROOT), field + " is out of range");
        }
    }
}
