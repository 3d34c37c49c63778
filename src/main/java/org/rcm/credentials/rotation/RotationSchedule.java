package org.rcm.credentials.rotation;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** When a portal's credentials are next due for rotation ({@code credential_rotation_schedule}). */
@Entity
@Table(name = "credential_rotation_schedule")
public class RotationSchedule {

    /** Default interval, as in the seed. */
    public static final int DEFAULT_INTERVAL_DAYS = 90;

    /** The endpoint this schedule belongs to (primary key and foreign key). */
    @Id
    @Column(name = "endpoint_id")
    public Long endpointId;

    @Column(name = "rotation_interval_days", nullable = false)
    public int rotationIntervalDays = DEFAULT_INTERVAL_DAYS;

    @Column(name = "auto_rotate", nullable = false)
    public boolean autoRotate;

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(name = "notification_emails", nullable = false, columnDefinition = "text[]")
    public String[] notificationEmails = new String[0];

    @Column(name = "next_rotation_at", nullable = false)
    public Instant nextRotationAt;

    /** {@code success} or {@code failed}; null before the first rotation. */
    @Column(name = "last_result", columnDefinition = "text")
    public String lastResult;

    @Column(name = "last_result_at")
    public Instant lastResultAt;

    @Column(name = "created_at", nullable = false, insertable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
