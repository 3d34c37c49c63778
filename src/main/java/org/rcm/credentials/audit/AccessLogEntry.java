package org.rcm.credentials.audit;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.hibernate.annotations.ColumnTransformer;
import org.hibernate.annotations.Immutable;

/**
 * One row of the append-only {@code credential_access_log}, for reading. Rows are written
 * only by {@link AuditWriter}, in batches.
 */
@Entity
@Immutable
@Table(name = "credential_access_log")
public class AccessLogEntry {

    @Id
    public Long id;

    @Column(name = "tenant_id", nullable = false, columnDefinition = "text")
    public String tenantId;

    @Column(name = "portal_id", columnDefinition = "text")
    public String portalId;

    @Column(name = "secret_arn", columnDefinition = "text")
    public String secretArn;

    @Column(name = "access_type", nullable = false, columnDefinition = "text")
    public String accessType;

    @Column(name = "access_by", nullable = false, columnDefinition = "text")
    public String accessBy;

    @ColumnTransformer(read = "host(ip_address)")
    @Column(name = "ip_address", columnDefinition = "inet")
    public String ipAddress;

    @Column(name = "user_agent", columnDefinition = "text")
    public String userAgent;

    @Column(nullable = false)
    public boolean success;

    @Column(name = "error_message", columnDefinition = "text")
    public String errorMessage;

    @Column(name = "unexpected_ip", nullable = false)
    public boolean unexpectedIp;

    @Column(name = "accessed_at", nullable = false)
    public Instant accessedAt;
}
