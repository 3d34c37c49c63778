package org.rcm.credentials.endpoint;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * A tenant's portal and the reference to its secret. Metadata only: the secret value lives
 * in the secret store, and {@code config} holds only legacy credentials awaiting migration.
 */
@Entity
@Table(name = "integration_endpoint")
public class IntegrationEndpoint {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "tenant_id", nullable = false, columnDefinition = "text")
    public String tenantId;

    @Column(name = "portal_id", nullable = false, columnDefinition = "text")
    public String portalId;

    @Column(nullable = false, columnDefinition = "text")
    public String name;

    @Column(name = "portal_type", nullable = false, columnDefinition = "text")
    public String portalType;

    /** JSON object; legacy credentials sit under {@code credentials}. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false, columnDefinition = "jsonb")
    public String config;

    /** ARN of the secret; null when none is stored. Never logged: see {@code SecretNames.sanitize}. */
    @Column(name = "secret_arn", columnDefinition = "text")
    public String secretArn;

    /** The broker's version counter: +1 per store and per completed rotation. */
    @Column(name = "secret_version", nullable = false)
    public long secretVersion;

    /** The store's id of the current version. */
    @Column(name = "secret_version_id", columnDefinition = "text")
    public String secretVersionId;

    /** The store's id of a rotation's pending version, until promoted or abandoned. */
    @Column(name = "pending_version_id", columnDefinition = "text")
    public String pendingVersionId;

    @Column(name = "rotation_started_at")
    public Instant rotationStartedAt;

    /** Consecutive failed logins reported for the current version. */
    @Column(name = "login_failures", nullable = false)
    public int loginFailures;

    /** When failed logins paused the credential; null while it is handed out. */
    @Column(name = "paused_at")
    public Instant pausedAt;

    /** Until when the claim of a worker-driven rotation holds; null: the configured lease. */
    @Column(name = "rotation_expires_at")
    public Instant rotationExpiresAt;

    @Column(name = "last_rotated_at")
    public Instant lastRotatedAt;

    /** {@code active}, {@code failed} or {@code pending}; null before the first store. */
    @Column(name = "rotation_status", columnDefinition = "text")
    public String rotationStatus;

    /**
     * Where the legacy {@code config.credentials} stand: null (no migration), {@code migrated_verified}
     * (the secret was written from them and read back equal; the plaintext copy remains) or
     * {@code purged}. See {@link LegacyState}.
     */
    @Column(name = "legacy_migration", columnDefinition = "text")
    public String legacyMigration;

    @Column(name = "created_at", nullable = false, insertable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
