package org.rcm.credentials.local.aws;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Faults injected into a {@link LocalAwsEndpoint} before an operation runs. Each rule matches
 * one target such as {@code AmazonSSM.GetParameter} or STS's {@link LocalAwsEndpoint#ASSUME_ROLE}
 * (answered in STS's terms: {@code Throttling}, {@code InternalFailure}, 403
 * {@code AccessDenied}), or {@link #ALL}, and optionally only the
 * calls that name one resource (see {@link #onResource}). Counted rules are used
 * up in the order they were added. A target's own latency replaces the latency for all
 * targets. Every faulted call is still counted. Thread-safe.
 */
public final class Faults {

    /** The target that matches every call. */
    public static final String ALL = "*";

    /** What a counted rule does to a matching call. */
    enum Mode { PASS, THROTTLE, FAIL, FAIL_AFTER_APPLY, DENY, ERROR }

    /** What happens to one call: a mode, and for {@link Mode#ERROR} the error code to answer. */
    record Fault(Mode mode, String errorCode) {
    }

    private static final Pattern ERROR_CODE = Pattern.compile("[A-Za-z][A-Za-z0-9]{0,99}");

    private record Rule(String target, String resource, Fault fault, AtomicInteger remaining) {
        boolean matches(String calledTarget, String calledResource) {
            return (target.equals(calledTarget) || target.equals(ALL))
                    && (resource == null || calledResource != null && calledResource.contains(resource));
        }
    }

    private final Duration defaultLatency;
    private final List<Rule> rules = new ArrayList<>();
    private final Map<String, Duration> latencies = new ConcurrentHashMap<>();

    Faults(Duration defaultLatency) {
        this.defaultLatency = defaultLatency;
        latencies.put(ALL, defaultLatency);
    }

    /**
     * The next {@code count} matching calls run normally. Followed by another rule for the same
     * target, it aims that rule at a later call (the second label of a rotation, say).
     */
    public Faults passNext(String target, int count) {
        return add(target, Mode.PASS, count);
    }

    /** The next {@code count} matching calls answer 400 ThrottlingException ("Rate exceeded"). */
    public Faults throttleNext(String target, int count) {
        return add(target, Mode.THROTTLE, count);
    }

    /** The next {@code count} matching calls answer a 500 internal error; the operation does not run. */
    public Faults failNext(String target, int count) {
        return add(target, Mode.FAIL, count);
    }

    /** The next {@code count} matching calls run the operation, then answer a 500 internal error. */
    public Faults failAfterApplyNext(String target, int count) {
        return add(target, Mode.FAIL_AFTER_APPLY, count);
    }

    /** The next {@code count} matching calls answer 400 AccessDeniedException. */
    public Faults denyNext(String target, int count) {
        return add(target, Mode.DENY, count);
    }

    /**
     * The next {@code count} matching calls answer 400 with {@code errorCode} as the
     * {@code __type} (for example {@code ParameterAlreadyExists} or
     * {@code InvalidRequestException}); the operation does not run.
     */
    public Faults errorNext(String target, int count, String errorCode) {
        if (errorCode == null || !ERROR_CODE.matcher(errorCode).matches()) {
            throw new IllegalArgumentException("error code must be 1-100 letters and digits, starting with a letter");
        }
        return add(target, new Fault(Mode.ERROR, errorCode), count);
    }

    /**
     * The next {@code count} calls to {@code target} whose resource (the request's {@code Name},
     * or {@code SecretId}) contains {@code resource} get {@code mode}: {@code throttle},
     * {@code fail} or {@code deny}, as the rules above. Calls naming other resources pass these
     * rules by. For faults that follow one parameter or secret through the SDK's retries.
     */
    public Faults onResource(String target, String resource, String mode, int count) {
        if (resource == null || resource.isEmpty()) {
            throw new IllegalArgumentException("resource must not be empty");
        }
        Mode parsed = switch (mode) {
            case "throttle" -> Mode.THROTTLE;
            case "fail" -> Mode.FAIL;
            case "deny" -> Mode.DENY;
            default -> throw new IllegalArgumentException("a resource's mode must be throttle, fail or deny");
        };
        return add(target, resource, new Fault(parsed, null), count);
    }

    /** Adds {@code latency} to every call, except to targets with a latency of their own. */
    public Faults latency(Duration latency) {
        return latency(ALL, latency);
    }

    /** Adds {@code latency} to every call to {@code target}. */
    public Faults latency(String target, Duration latency) {
        if (latency.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative");
        }
        latencies.put(target, latency);
        return this;
    }

    /** Removes all rules and latencies; the latency for all targets returns to the one given at start. */
    public synchronized void reset() {
        rules.clear();
        latencies.keySet().removeIf(target -> !ALL.equals(target));
        latencies.put(ALL, defaultLatency);
    }

    Duration latencyFor(String target) {
        return latencies.getOrDefault(target, latencies.getOrDefault(ALL, Duration.ZERO));
    }

    /**
     * Uses up one call of the first rule matching {@code target} and {@code resource} (null when
     * the call names none); null when none matches or the rule lets it pass.
     */
    synchronized Fault take(String target, String resource) {
        Rule rule = rules.stream()
                .filter(candidate -> candidate.matches(target, resource))
                .findFirst()
                .orElse(null);
        if (rule == null) {
            return null;
        }
        if (rule.remaining().decrementAndGet() == 0) {
            rules.remove(rule);
        }
        return rule.fault().mode() == Mode.PASS ? null : rule.fault();
    }

    private Faults add(String target, Mode mode, int count) {
        return add(target, new Fault(mode, null), count);
    }

    private Faults add(String target, Fault fault, int count) {
        return add(target, null, fault, count);
    }

    private synchronized Faults add(String target, String resource, Fault fault, int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative");
        }
        if (count > 0) {
            rules.add(new Rule(target, resource, fault, new AtomicInteger(count)));
        }
        return this;
    }
}
