package org.rcm.credentials.local.aws;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** SSM Parameter Store in memory: parameters with numbered versions and labels. Thread-safe. */
final class SsmParameterStore implements AwsService {

    private static final int MAX_VERSIONS = 100;
    private static final int MAX_LABELS = 10;
    private static final int MAX_PAGE = 50;
    private static final Set<String> TYPES = Set.of("String", "StringList", "SecureString");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.\\-]+|(/[A-Za-z0-9_.\\-]+)+");
    /** AWS reserves 1037 of a name's 2048 characters for its own use (PutParameter, Name). */
    private static final int MAX_NAME = 1011;
    private static final int MAX_DEPTH = 15;
    /** 1-100 of [A-Za-z0-9._-], not starting with a digit, "aws" or "ssm" (any case). */
    private static final Pattern LABEL = Pattern.compile("(?i)(?!aws|ssm)[A-Za-z_.\\-][A-Za-z0-9_.\\-]{0,99}");
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,18}");
    private static final TypeReference<Map<String, Parameter>> STATE = new TypeReference<>() { };

    /** One version of a parameter. */
    record Version(long version, String type, String value, String keyId, String tier, long modifiedMillis) {
    }

    /** A parameter: its kept versions (the latest is always the last key) and label → version. */
    record Parameter(String name, NavigableMap<Long, Version> versions, Map<String, Long> labels) {

        Version latest() {
            return versions.lastEntry().getValue();
        }

        List<String> labelsOf(long version) {
            return labels.entrySet().stream()
                    .filter(entry -> entry.getValue() == version)
                    .map(Map.Entry::getKey)
                    .sorted()
                    .toList();
        }
    }

    private final String arnPrefix;
    private final LocalKms kms;
    private final Clock clock;
    private final Map<String, Parameter> parameters = new HashMap<>();

    SsmParameterStore(String region, String accountId, Clock clock) {
        this.arnPrefix = "arn:aws:ssm:" + region + ":" + accountId + ":parameter/";
        this.kms = new LocalKms(region, accountId);
        this.clock = clock;
    }

    @Override
    public String targetPrefix() {
        return "AmazonSSM.";
    }

    @Override
    public String internalErrorCode() {
        return "InternalServerError";
    }

    @Override
    public synchronized ObjectNode execute(String operation, JsonInput input) {
        return switch (operation) {
            case "PutParameter" -> putParameter(input);
            case "GetParameter" -> getParameter(input);
            case "DeleteParameter" -> deleteParameter(input);
            case "GetParameterHistory" -> getParameterHistory(input);
            case "LabelParameterVersion" -> labelParameterVersion(input);
            case "UnlabelParameterVersion" -> unlabelParameterVersion(input);
            default -> throw AwsError.client("UnknownOperationException", "Unknown operation " + operation);
        };
    }

    @Override
    public synchronized JsonNode snapshot() {
        return Json.MAPPER.valueToTree(parameters);
    }

    @Override
    public synchronized void restore(JsonNode snapshot) {
        parameters.clear();
        parameters.putAll(Json.MAPPER.convertValue(snapshot, STATE));
    }

    @Override
    public synchronized void clear() {
        parameters.clear();
    }

    private ObjectNode putParameter(JsonInput input) {
        String name = input.requiredText("Name");
        String value = input.requiredText("Value");
        checkName(name);
        if (value.isEmpty()) {
            throw AwsError.validation("1 validation error detected: Value at 'value' failed to satisfy constraint: "
                    + "Member must have length greater than or equal to 1");
        }
        Parameter existing = parameters.get(name);
        if (existing != null && !input.flag("Overwrite")) {
            throw AwsError.client("ParameterAlreadyExists", "The parameter already exists. To overwrite this value, "
                    + "set the overwrite option in the request to true.");
        }
        Version previous = existing == null ? null : existing.latest();
        String type = input.text("Type").orElse(previous == null ? null : previous.type());
        if (type == null || !TYPES.contains(type)) {
            throw AwsError.validation("A parameter type (String, StringList or SecureString) is required when you "
                    + "create a parameter.");
        }
        String tier = tier(input.text("Tier").orElse(previous == null ? "Standard" : previous.tier()), previous, value);
        Parameter parameter = existing != null ? existing : new Parameter(name, new TreeMap<>(), new HashMap<>());
        if (parameter.versions().size() >= MAX_VERSIONS) {
            dropOldestVersion(parameter);
        }
        long number = parameter.versions().isEmpty() ? 1 : parameter.versions().lastKey() + 1;
        String keyId = "SecureString".equals(type) ? input.text("KeyId").orElse("alias/aws/ssm") : null;
        if (keyId != null && !kms.exists(keyId)) {
            throw AwsError.client("InvalidKeyId", "The query key ID isn't valid.");
        }
        parameter.versions().put(number, new Version(number, type, value, keyId, tier, clock.millis()));
        parameters.put(name, parameter);
        return Json.object()
                .put("Version", number)
                .put("Tier", tier);
    }

    /**
     * A fully qualified name of letters, digits and {@code . - _}, at most 15 levels deep and
     * 1011 characters long, not starting with {@code aws} or {@code ssm} in any case.
     */
    private static void checkName(String name) {
        if (!NAME.matcher(name).matches() || name.length() > MAX_NAME) {
            throw AwsError.validation("Parameter name: must be a fully qualified name of letters, numbers and . - _ /,"
                    + " at most " + MAX_NAME + " characters");
        }
        if (name.chars().filter(c -> c == '/').count() > MAX_DEPTH) {
            throw AwsError.client("HierarchyLevelLimitExceededException", "A hierarchy can have a maximum of 15 levels.");
        }
        String first = name.replaceFirst("^/", "").toLowerCase(Locale.ROOT);
        if (first.startsWith("aws") || first.startsWith("ssm")) {
            throw AwsError.validation("No access to reserved parameter name: " + name + ".");
        }
    }

    /**
     * The tier a write gets. Intelligent-Tiering is Standard while the value fits and the
     * parameter was never Advanced; an Advanced parameter never goes back to Standard.
     */
    private static String tier(String requested, Version previous, String value) {
        int length = value.codePointCount(0, value.length());
        boolean wasAdvanced = previous != null && "Advanced".equals(previous.tier());
        String tier = switch (requested) {
            case "Standard", "Advanced" -> requested;
            case "Intelligent-Tiering" -> wasAdvanced || length > 4096 ? "Advanced" : "Standard";
            default -> throw AwsError.validation("The tier must be Standard, Advanced or Intelligent-Tiering.");
        };
        if (wasAdvanced && "Standard".equals(tier)) {
            throw AwsError.validation("This parameter uses the advanced-parameter tier. You can't downgrade a parameter from"
                    + " the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the"
                    + " advanced parameter and recreate it as a standard parameter.");
        }
        if ("Standard".equals(tier) && length > 4096) {
            throw AwsError.validation("Standard tier parameters support a maximum parameter value of 4096 characters. "
                    + "To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.");
        }
        if (length > 8192) {
            throw AwsError.validation("Advanced tier parameters support a maximum parameter value of 8192 characters.");
        }
        return tier;
    }

    private static void dropOldestVersion(Parameter parameter) {
        long oldest = parameter.versions().firstKey();
        if (parameter.labels().containsValue(oldest)) {
            throw AwsError.client("ParameterMaxVersionLimitExceeded", "You attempted to create a new version of "
                    + parameter.name() + " by calling the PutParameter API with the overwrite flag. Version " + oldest
                    + ", the oldest version, can't be deleted because it has a label associated with it. Move the "
                    + "label to another version of the parameter, and try again.");
        }
        parameter.versions().remove(oldest);
    }

    /**
     * GetParameter; the name may be the parameter's ARN, and may carry a selector:
     * {@code name:<version>} or {@code name:<label>}.
     */
    private ObjectNode getParameter(JsonInput input) {
        String requested = input.requiredText("Name");
        if (requested.startsWith(arnPrefix)) {
            String path = requested.substring(arnPrefix.length());
            requested = path.contains("/") ? "/" + path : path;
        }
        String[] nameAndSelector = requested.split(":", 2);
        Parameter parameter = require(nameAndSelector[0]);
        String selector = nameAndSelector.length > 1 ? nameAndSelector[1] : null;
        Version version = selector == null ? parameter.latest() : select(parameter, selector);
        ObjectNode out = Json.object()
                .put("Name", parameter.name())
                .put("Type", version.type())
                .put("Value", visibleValue(parameter.name(), version, input.flag("WithDecryption")))
                .put("Version", version.version());
        if (selector != null) {
            out.put("Selector", ":" + selector);
        }
        out.set("LastModifiedDate", Json.timestamp(version.modifiedMillis()));
        out.put("ARN", arnPrefix + parameter.name().replaceFirst("^/", ""))
                .put("DataType", "text");
        return Json.object().set("Parameter", out);
    }

    private static Version select(Parameter parameter, String selector) {
        Long number = DIGITS.matcher(selector).matches() ? Long.valueOf(selector) : parameter.labels().get(selector);
        Version version = number == null ? null : parameter.versions().get(number);
        if (version == null) {
            throw versionNotFound(parameter.name(), selector);
        }
        return version;
    }

    private ObjectNode deleteParameter(JsonInput input) {
        parameters.remove(require(input.requiredText("Name")).name());
        return Json.object();
    }

    /** Oldest first; the page token is the first version number of the next page. */
    private ObjectNode getParameterHistory(JsonInput input) {
        Parameter parameter = require(input.requiredText("Name"));
        long pageSize = input.number("MaxResults").orElse((long) MAX_PAGE);
        if (pageSize < 1 || pageSize > MAX_PAGE) {
            throw AwsError.validation("1 validation error detected: Value '" + pageSize + "' at 'maxResults' failed "
                    + "to satisfy constraint: Member must have value less than or equal to 50");
        }
        String token = input.text("NextToken").orElse("0");
        if (!DIGITS.matcher(token).matches()) {
            throw AwsError.client("InvalidNextToken", "The specified token isn't valid.");
        }
        List<Version> rest = new ArrayList<>(parameter.versions().tailMap(Long.parseLong(token), true).values());
        ArrayNode page = Json.MAPPER.createArrayNode();
        rest.stream()
                .limit(pageSize)
                .forEach(version -> page.add(historyItem(parameter, version, input.flag("WithDecryption"))));
        ObjectNode out = Json.object().set("Parameters", page);
        return rest.size() <= pageSize ? out : out.put("NextToken", Long.toString(rest.get((int) pageSize).version()));
    }

    private static ObjectNode historyItem(Parameter parameter, Version version, boolean decrypt) {
        ObjectNode item = Json.object()
                .put("Name", parameter.name())
                .put("Type", version.type())
                .put("KeyId", version.keyId())
                .put("Value", visibleValue(parameter.name(), version, decrypt))
                .put("Version", version.version())
                .put("Tier", version.tier())
                .put("DataType", "text");
        item.set("LastModifiedDate", Json.timestamp(version.modifiedMillis()));
        item.set("Labels", Json.strings(parameter.labelsOf(version.version())));
        return item;
    }

    /** Valid labels move here from other versions; invalid ones are reported and not attached. */
    private ObjectNode labelParameterVersion(JsonInput input) {
        Parameter parameter = require(input.requiredText("Name"));
        long version = requireVersion(parameter, input.number("ParameterVersion").orElse(parameter.latest().version()));
        Set<String> labels = labels(input);
        List<String> valid = labels.stream().filter(label -> LABEL.matcher(label).matches()).toList();
        Set<String> onVersion = new LinkedHashSet<>(parameter.labelsOf(version));
        onVersion.addAll(valid);
        if (onVersion.size() > MAX_LABELS) {
            throw AwsError.client("ParameterVersionLabelLimitExceeded", "An error occurred when attaching label(s) "
                    + "to parameter version. A parameter version can have maximum 10 labels.");
        }
        valid.forEach(label -> parameter.labels().put(label, version));
        labels.removeAll(valid);
        ObjectNode out = Json.object().set("InvalidLabels", Json.strings(labels));
        return out.put("ParameterVersion", version);
    }

    private ObjectNode unlabelParameterVersion(JsonInput input) {
        Parameter parameter = require(input.requiredText("Name"));
        long version = requireVersion(parameter, input.number("ParameterVersion")
                .orElseThrow(() -> AwsError.validation("ParameterVersion is required.")));
        Set<String> labels = labels(input);
        List<String> removed = labels.stream()
                .filter(label -> Objects.equals(parameter.labels().get(label), version))
                .toList();
        removed.forEach(parameter.labels()::remove);
        labels.removeAll(removed);
        ObjectNode out = Json.object().set("RemovedLabels", Json.strings(removed));
        return out.set("InvalidLabels", Json.strings(labels));
    }

    private static Set<String> labels(JsonInput input) {
        Set<String> labels = new LinkedHashSet<>(input.texts("Labels"));
        if (labels.isEmpty() || labels.size() > MAX_LABELS) {
            throw AwsError.validation("1 validation error detected: Value at 'labels' failed to satisfy constraint: "
                    + "Member must have length between 1 and 10");
        }
        return labels;
    }

    private Parameter require(String name) {
        Parameter parameter = parameters.get(name);
        if (parameter == null) {
            throw AwsError.client("ParameterNotFound", "Parameter " + name + " not found.");
        }
        return parameter;
    }

    private static long requireVersion(Parameter parameter, long version) {
        if (!parameter.versions().containsKey(version)) {
            throw versionNotFound(parameter.name(), Long.toString(version));
        }
        return version;
    }

    private static AwsError versionNotFound(String name, String selector) {
        return AwsError.client("ParameterVersionNotFound", "Systems Manager could not find version " + selector
                + " of " + name + ". Verify the version and try again.");
    }

    /** A SecureString read without decryption shows an opaque stand-in for ciphertext, never the value. */
    private static String visibleValue(String name, Version version, boolean decrypt) {
        if (decrypt || !"SecureString".equals(version.type())) {
            return version.value();
        }
        String stub = "local-ciphertext:" + version.keyId() + ":" + name + ":" + version.version();
        return Base64.getEncoder().encodeToString(stub.getBytes(StandardCharsets.UTF_8));
    }
}
