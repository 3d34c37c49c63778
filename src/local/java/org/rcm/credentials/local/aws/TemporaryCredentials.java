package org.rcm.credentials.local.aws;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The temporary credentials that {@link SecurityTokenService} issued, and what IAM would decide
 * for a call signed with them: a call signed with an issued key ({@code ASIA...}) may only name
 * resources of its session's {@code TenantId} tag, {@code [/]rcm/{environment}/{TenantId}/...},
 * as the tenant role's policy allows ({@code src/main/aws/tenant-role-policy.json}). Any other
 * key (the tests' and the local run's static keys) has full access. Thread-safe.
 */
final class TemporaryCredentials {

    /** Access key ids of temporary credentials start with this, as AWS's do. */
    static final String TEMPORARY_PREFIX = "ASIA";
    static final String TENANT_TAG = "TenantId";
    private static final TypeReference<Map<String, Session>> STATE = new TypeReference<>() { };
    private static final Pattern CREDENTIAL = Pattern.compile("Credential=([^/,\\s]+)/");
    /** What follows the resource type in an ARN ({@code parameter/}, {@code secret:}), or the whole name. */
    private static final Pattern ARN_RESOURCE = Pattern.compile("arn:[^:]*:[^:]*:[^:]*:[^:]*:(?:parameter/|secret:)(.*)");
    private static final char[] KEY_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

    /** One issued session: its secret, token, tags and expiry. */
    record Session(String secretAccessKey, String sessionToken, Map<String, String> tags, long expiresMillis) {
    }

    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final Map<String, Session> sessions = new HashMap<>();

    TemporaryCredentials(Clock clock) {
        this.clock = clock;
    }

    /** Issued credentials: the access key id and its session. */
    record Issued(String accessKeyId, Session session) {
    }

    /** Issues credentials bound to {@code tags}, valid until {@code expires}. */
    synchronized Issued issue(Map<String, String> tags, Instant expires) {
        String accessKeyId = TEMPORARY_PREFIX + token(16).toUpperCase(Locale.ROOT);
        Session session = new Session(token(40), token(64), Map.copyOf(tags), expires.toEpochMilli());
        sessions.put(accessKeyId, session);
        return new Issued(accessKeyId, session);
    }

    /** Makes every issued session expired, as if their time had run out. */
    synchronized void expireAll() {
        sessions.replaceAll((key, s) -> new Session(s.secretAccessKey(), s.sessionToken(), s.tags(), 0));
    }

    /**
     * What IAM says to a call to {@code action} naming {@code resource} (null when it names
     * none), signed as the {@code Authorization} header says.
     *
     * @throws AwsError UnrecognizedClientException for a temporary key not issued here or a
     *     wrong session token, ExpiredTokenException for an expired one, AccessDeniedException
     *     for a resource outside the session's tenant
     */
    synchronized void authorize(String authorization, String securityToken, String action, String resource) {
        String accessKeyId = accessKeyId(authorization);
        if (accessKeyId == null || !accessKeyId.startsWith(TEMPORARY_PREFIX)) {
            return;
        }
        Session session = sessions.get(accessKeyId);
        if (session == null || !session.sessionToken().equals(securityToken)) {
            throw AwsError.client("UnrecognizedClientException", "The security token included in the request is invalid.");
        }
        if (clock.millis() >= session.expiresMillis()) {
            throw AwsError.client("ExpiredTokenException", "The security token included in the request is expired");
        }
        String tenant = session.tags().get(TENANT_TAG);
        if (tenant == null || resource == null || !tenant.equals(tenantSegment(resource))) {
            throw AwsError.client("AccessDeniedException", "User is not authorized to perform: " + action
                    + " on this resource because no identity-based policy allows the " + action + " action");
        }
    }

    /** The {tenant} of {@code [/]rcm/{environment}/{tenant}/...}, by name or ARN; null for other names. */
    static String tenantSegment(String resource) {
        Matcher arn = ARN_RESOURCE.matcher(resource);
        String name = arn.matches() ? arn.group(1) : resource;
        String[] segments = (name.startsWith("/") ? name.substring(1) : name).split("/", -1);
        return segments.length >= 4 && segments[0].equals("rcm") && !segments[3].isEmpty() ? segments[2] : null;
    }

    static String accessKeyId(String authorization) {
        if (authorization == null) {
            return null;
        }
        Matcher m = CREDENTIAL.matcher(authorization);
        return m.find() ? m.group(1) : null;
    }

    synchronized JsonNode snapshot() {
        return Json.MAPPER.valueToTree(sessions);
    }

    synchronized void restore(JsonNode snapshot) {
        sessions.clear();
        sessions.putAll(Json.MAPPER.convertValue(snapshot, STATE));
    }

    private String token(int length) {
        StringBuilder token = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            token.append(KEY_CHARACTERS[random.nextInt(KEY_CHARACTERS.length)]);
        }
        return token.toString();
    }
}
