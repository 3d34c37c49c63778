package org.rcm.credentials.audit;

import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import jakarta.enterprise.context.ApplicationScoped;

/** Reads the access log; writes go through {@link AuditWriter}. */
@ApplicationScoped
public class AccessLogRepository implements PanacheRepository<AccessLogEntry> {
}
