package org.rcm.credentials.local.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * STS's {@code AssumeRole}, on the AWS Query protocol ({@link QueryProtocol}): temporary
 * credentials bound to the request's session tags, which {@link TemporaryCredentials} then
 * enforces on SSM and Secrets Manager calls signed with them. Roles are not modelled: any
 * well-formed role ARN may be assumed by any caller. Issued sessions outlive
 * {@link #clear()}, as AWS sessions outlive the secrets they read.
 */
final class SecurityTokenService implements AwsService {

    /** The target prefix of STS calls in counts and faults: STS's service name, as its JSON protocol names it. */
    static final String PREFIX = "AWSSecurityTokenServiceV20110615.";
    private static final Pattern ROLE_ARN = Pattern.compile("arn:(aws|aws-cn|aws-us-gov):iam::(\\d{12}):role/(?:.*/)?([\\w+=,.@-]{1,64})");
    private static final Pattern SESSION_NAME = Pattern.compile("[\\w+=,.@-]{2,64}");
    private static final Pattern TAG_TEXT = Pattern.compile("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");
    private static final int MAX_TAGS = 50;

    private final TemporaryCredentials credentials;
    private final Clock clock;

    SecurityTokenService(TemporaryCredentials credentials, Clock clock) {
        this.credentials = credentials;
        this.clock = clock;
    }

    @Override
    public String targetPrefix() {
        return PREFIX;
    }

    @Override
    public String internalErrorCode() {
        return "InternalFailure";
    }

    @Override
    public String throttlingCode() {
        return "Throttling";
    }

    @Override
    public boolean scopedToSessionTenant() {
        return false;
    }

    @Override
    public AwsError denied(String target) {
        return AwsError.of("AccessDenied", 403, "User is not authorized to perform: sts:AssumeRole (injected)");
    }

    @Override
    public ObjectNode execute(String operation, JsonInput input) {
        if (!operation.equals("AssumeRole")) {
            throw AwsError.client("InvalidAction", "Could not find operation " + operation + " for version 2011-06-15");
        }
        return assumeRole(input);
    }

    private ObjectNode assumeRole(JsonInput input) {
        Matcher role = ROLE_ARN.matcher(required(input, "RoleArn"));
        if (!role.matches()) {
            throw validation("RoleArn is not a valid IAM role ARN");
        }
        String sessionName = required(input, "RoleSessionName");
        if (!SESSION_NAME.matcher(sessionName).matches()) {
            throw validation("Value at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
        }
        long seconds = durationSeconds(input);
        Map<String, String> tags = tags(input);
        Instant expires = clock.instant().plus(Duration.ofSeconds(seconds));
        TemporaryCredentials.Issued issued = credentials.issue(tags, expires);
        String roleId = "AROA" + Integer.toHexString(role.group(3).hashCode()).toUpperCase(java.util.Locale.ROOT);
        ObjectNode result = Json.object();
        result.putObject("Credentials")
                .put("AccessKeyId", issued.accessKeyId())
                .put("SecretAccessKey", issued.session().secretAccessKey())
                .put("SessionToken", issued.session().sessionToken())
                .put("Expiration", expires.toString());
        result.putObject("AssumedRoleUser")
                .put("Arn", "arn:" + role.group(1) + ":sts::" + role.group(2) + ":assumed-role/" + role.group(3) + "/" + sessionName)
                .put("AssumedRoleId", roleId + ":" + sessionName);
        result.put("PackedPolicySize", tags.isEmpty() ? 0 : 6);
        return result;
    }

    private static long durationSeconds(JsonInput input) {
        Optional<String> text = input.text("DurationSeconds");
        long seconds;
        try {
            seconds = text.map(Long::parseLong).orElse(3600L);
        } catch (NumberFormatException e) {
            throw validation("DurationSeconds is not a number");
        }
        if (seconds < 900 || seconds > 43_200) {
            throw validation("Value '" + seconds + "' at 'durationSeconds' failed to satisfy constraint: "
                    + "Member must have value between 900 and 43200");
        }
        return seconds;
    }

    /** {@code Tags.member.N.Key} / {@code Tags.member.N.Value}, N from 1. */
    private static Map<String, String> tags(JsonInput input) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (int n = 1; input.text("Tags.member." + n + ".Key").isPresent(); n++) {
            if (n > MAX_TAGS) {
                throw validation("Tags: at most 50 session tags");
            }
            String key = input.text("Tags.member." + n + ".Key").orElseThrow();
            String value = input.text("Tags.member." + n + ".Value").orElse("");
            if (key.isEmpty() || key.length() > 128 || value.length() > 256
                    || !TAG_TEXT.matcher(key).matches() || !TAG_TEXT.matcher(value).matches()) {
                throw validation("Tags: a session tag's key or value is not valid");
            }
            if (tags.keySet().stream().anyMatch(key::equalsIgnoreCase)) {
                throw validation("Tags: duplicate tag keys");
            }
            tags.put(key, value);
        }
        return tags;
    }

    private static String required(JsonInput input, String member) {
        return input.text(member).filter(value -> !value.isEmpty())
                .orElseThrow(() -> validation("1 validation error detected: Value null at '"
                        + Character.toLowerCase(member.charAt(0)) + member.substring(1)
                        + "' failed to satisfy constraint: Member must not be null"));
    }

    private static AwsError validation(String message) {
        return AwsError.client("ValidationError", message);
    }

    @Override
    public JsonNode snapshot() {
        return credentials.snapshot();
    }

    @Override
    public void restore(JsonNode snapshot) {
        credentials.restore(snapshot);
    }

    /** Issued sessions stay: a reset removes parameters and secrets, as {@link LocalAwsEndpoint#clearState()} says. */
    @Override
    public void clear() {
    }
}
