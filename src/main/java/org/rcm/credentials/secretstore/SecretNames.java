package org.rcm.credentials.secretstore;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.error.BrokerException;

/**
 * The one place that builds, parses and validates secret names and ARNs, and masks them
 * for logs and messages (the seed's {@code sanitize_secret_arn_for_logging}).
 *
 * <p>Every name is derived from the caller's tenant: an ARN outside
 * {@code rcm/{environment}/{tenant}/} is refused before any AWS call.
 */
@ApplicationScoped
public class SecretNames {

    /** Longest tenant or portal id. */
    public static final int MAX_ID_LENGTH = 128;

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,128}");
    private static final Pattern PARTITION = Pattern.compile("aws|aws-cn|aws-us-gov");
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d");
    private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
    private static final Pattern ARN = Pattern.compile("arn:([^:]*):([^:]*):([^:]*):([^:]*):(parameter/|secret:)(.*)");
    private static final Pattern SUFFIXED = Pattern.compile("(.+)-([A-Za-z0-9]{6})");

    /** ARN-shaped text anywhere in a string. */
    private static final Pattern ARN_TEXT = Pattern.compile(
            "arn:[A-Za-z0-9-]*:[A-Za-z0-9-]*:[A-Za-z0-9-]*:[^\\s:]*:[^\\s\"'<>,;)\\]}]+");
    /** A secret name or parameter path anywhere in a string. */
    private static final Pattern PATH_TEXT = Pattern.compile("(?<![A-Za-z0-9._/-])(/?)rcm/[^\\s\"'<>,;)\\]}]+");
    /** The user information of a URL ({@code postgresql://user:password@host}): a database password, say. */
    private static final Pattern URL_USER_INFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^\\s/@]+@");
    /** A password in a URL's query ({@code ?password=...}). */
    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)([?&;]password=)[^&;\\s]+");
    /** A twelve-digit number standing alone: possibly an account id. */
    private static final Pattern ACCOUNT_TEXT = Pattern.compile("(?<![0-9])\\d{12}(?![0-9])");
    private static final Pattern ARN_PREFIX = Pattern.compile("arn:([^:]*):([^:]*):([^:]*):[^:]*:(parameter/|secret:)?.*");

    private final String partition;
    private final String region;
    private final String account;
    private final String environment;

    @Inject
    public SecretNames(BrokerConfig config) {
        this(config.aws().partition(), config.aws().region(), config.aws().accountId(), config.environment());
    }

    /** For tests and tools; the service uses the configured values. */
    public SecretNames(String partition, String region, String account, String environment) {
        this.partition = require(PARTITION, partition, "partition");
        this.region = require(REGION, region, "region");
        this.account = require(ACCOUNT, account, "account id");
        this.environment = require(ID, environment, "environment");
        requireNoDotSegment(environment, "environment");
    }

    /**
     * Validates a tenant or portal id: 1..128 characters of {@code [A-Za-z0-9_.-]}, and not
     * {@code .}, {@code ..} or anything containing {@code ..}.
     *
     * @throws BrokerException INVALID_INPUT, naming the field but not echoing the value
     */
    public static String requireId(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw invalidId(field, field + " is required");
        }
        if (value.length() > MAX_ID_LENGTH) {
            throw invalidId(field, field + " is longer than " + MAX_ID_LENGTH + " characters");
        }
        if (!ID.matcher(value).matches()) {
            throw invalidId(field, field + " may contain only letters, digits, '_', '.' and '-'");
        }
        if (value.equals(".") || value.contains("..")) {
            throw invalidId(field, field + " may not be '.' or contain '..'");
        }
        return value;
    }

    /** The secret of a portal in a tenant, in the given backend (without a Secrets Manager suffix). */
    public SecretArn arnFor(String tenant, String portal, SecretBackend backend) {
        return new SecretArn(partition, backend, region, account, environment,
                requireId("tenant_id", tenant), requireId("portal_id", portal), null);
    }

    /**
     * Parses an ARN and checks that it names the given portal of the given tenant, in this
     * service's partition, region, account and environment. Secrets Manager ARNs must carry
     * their six-character suffix.
     *
     * @throws IllegalArgumentException with a sanitised message when it does not
     */
    public SecretArn parse(String arn, String tenant, String portal) {
        SecretArn parsed = parse(arn, tenant);
        if (!parsed.portal().equals(portal)) {
            throw refused("names another portal");
        }
        return parsed;
    }

    /** Like {@link #parse(String, String, String)}, for any portal of the tenant. */
    public SecretArn parse(String arn, String tenant) {
        if (arn == null) {
            throw refused("is missing");
        }
        Matcher m = ARN.matcher(arn);
        if (!m.matches()) {
            throw refused("is not an SSM parameter or Secrets Manager secret ARN");
        }
        SecretBackend backend = switch (m.group(2) + " " + m.group(5)) {
            case "ssm parameter/" -> SecretBackend.SSM_PARAMETER_STORE;
            case "secretsmanager secret:" -> SecretBackend.SECRETS_MANAGER;
            default -> throw refused("is not an SSM parameter or Secrets Manager secret ARN");
        };
        if (!m.group(1).equals(partition)) {
            throw refused("is in another partition");
        }
        if (!m.group(3).equals(region)) {
            throw refused("is in another region");
        }
        if (!m.group(4).equals(account)) {
            throw refused("is in another account");
        }
        String resource = m.group(6);
        String suffix = null;
        if (backend == SecretBackend.SECRETS_MANAGER) {
            Matcher s = SUFFIXED.matcher(resource);
            if (!s.matches()) {
                throw refused("lacks the Secrets Manager suffix");
            }
            resource = s.group(1);
            suffix = s.group(2);
        }
        String[] segments = resource.split("/", -1);
        if (segments.length != 4 || !segments[0].equals("rcm")) {
            throw refused("is not of the form rcm/{environment}/{tenant}/{portal}");
        }
        if (!segments[1].equals(environment)) {
            throw refused("is in another environment");
        }
        if (!segments[2].equals(tenant)) {
            throw refused("is outside the tenant's prefix");
        }
        try {
            requireId("portal_id", segments[3]);
        } catch (BrokerException e) {
            throw refused("has an invalid portal segment");
        }
        return new SecretArn(partition, backend, region, account, environment, tenant, segments[3], suffix);
    }

    /**
     * Keeps the partition, service, region and resource type of an ARN and masks the account
     * and the path, e.g. {@code arn:aws:ssm:us-east-1:****:parameter/rcm/****}.
     */
    public static String sanitize(String arn) {
        if (arn == null) {
            return "null";
        }
        Matcher m = ARN_PREFIX.matcher(arn);
        if (!m.matches()) {
            return "****";
        }
        String type = m.group(4) == null ? "" : m.group(4) + "rcm/";
        return "arn:" + m.group(1) + ":" + m.group(2) + ":" + m.group(3) + ":****:" + type + "****";
    }

    /**
     * Masks every ARN, secret name or parameter path, twelve-digit number, and URL user
     * information or password (a database URL's, say) in a text.
     */
    public static String maskAll(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String masked = URL_USER_INFO.matcher(text).replaceAll("$1****@");
        masked = URL_PASSWORD.matcher(masked).replaceAll("$1****");
        masked = ARN_TEXT.matcher(masked).replaceAll(r -> Matcher.quoteReplacement(sanitize(r.group())));
        masked = PATH_TEXT.matcher(masked).replaceAll("$1rcm/****");
        return ACCOUNT_TEXT.matcher(masked).replaceAll("************");
    }

    private static BrokerException invalidId(String field, String message) {
        return BrokerException.invalidInput("INVALID_" + field.toUpperCase(java.util.Locale.ROOT), message);
    }

    private static IllegalArgumentException refused(String why) {
        return new IllegalArgumentException("secret ARN " + why);
    }

    private static String require(Pattern pattern, String value, String what) {
        if (value == null || !pattern.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid " + what + " in configuration");
        }
        return value;
    }

    private static void requireNoDotSegment(String value, String what) {
        if (value.equals(".") || value.contains("..")) {
            throw new IllegalArgumentException("invalid " + what + " in configuration");
        }
    }
}
