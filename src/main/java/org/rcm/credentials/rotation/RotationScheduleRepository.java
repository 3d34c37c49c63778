package org.rcm.credentials.rotation;

import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import jakarta.enterprise.context.ApplicationScoped;

/** Rotation schedules, keyed by endpoint id. */
@ApplicationScoped
public class RotationScheduleRepository implements PanacheRepository<RotationSchedule> {
}
