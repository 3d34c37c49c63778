package org.rcm.credentials.secretstore;

import java.util.regex.Pattern;
import org.eclipse.microprofile.config.spi.Converter;

/**
 * Reads a KMS key setting ({@code rcm.secret-store.*-kms-key-id}) in one of the four forms AWS
 * resolves: a key id ({@code 1234abcd-12ab-34cd-56ef-1234567890ab}, or {@code mrk-...} for a
 * multi-Region key), a key ARN, an alias name ({@code alias/...}) or an alias ARN. Anything else
 * fails the configuration, so the service does not start with a key no write could use. Whether
 * the key exists only KMS can tell, which the service's role may not ask: the first write
 * with a key that does not exist fails {@code SECRET_STORE_KMS_KEY}.
 */
public final class KmsKeyIdConverter implements Converter<String> {

    private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
            + "|mrk-[0-9a-f]{32}");
    private static final Pattern ALIAS = Pattern.compile("alias/[A-Za-z0-9/_-]{1,250}");
    private static final Pattern ARN = Pattern.compile("arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key/(?<key>.+)|(?<alias>alias/.+))");

    @Override
    public String convert(String value) {
        String keyId = value.trim();
        var arn = ARN.matcher(keyId);
        boolean valid = KEY_ID.matcher(keyId).matches() || ALIAS.matcher(keyId).matches()
                || arn.matches() && (arn.group("key") != null ? KEY_ID.matcher(arn.group("key")).matches()
                        : ALIAS.matcher(arn.group("alias")).matches());
        if (!valid) {
            throw new IllegalArgumentException("a KMS key setting (rcm.secret-store.ssm-kms-key-id or"
                    + " rcm.secret-store.secrets-manager-kms-key-id) must be a key id, a key ARN, alias/<name> or an alias ARN");
        }
        return keyId;
    }
}
