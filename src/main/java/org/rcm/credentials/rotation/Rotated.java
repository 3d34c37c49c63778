package org.rcm.credentials.rotation;

import java.time.Instant;
import org.rcm.credentials.endpoint.RotationState;

/** A rotation's outcome; a failed rotation is an answer, with a sanitised {@code error}. */
public record Rotated(boolean success, RotationState rotationStatus, long version, Instant rotatedAt, String error) {
}
