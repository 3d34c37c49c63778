package org.rcm.credentials.rotation;

import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.rcm.credentials.error.BrokerException;

/**
 * Generates portal passwords with {@link SecureRandom}: every character chosen uniformly
 * (unbiased) from the allowed set, with at least one from each character class in use.
 */
@ApplicationScoped
public class PasswordGenerator {

    public static final int DEFAULT_LENGTH = 32;
    public static final int MIN_LENGTH = 12;
    public static final int MAX_LENGTH = 128;
    /** Fewest characters a policy may leave to choose from: with fewer, a password of the minimum length is guessable sooner. */
    public static final int MIN_ALPHABET = 40;
    static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    static final String LOWER = "abcdefghijklmnopqrstuvwxyz";
    static final String DIGITS = "0123456789";
    static final String SYMBOLS = "!#$%&()*+,-./:;<=>?@[]^_{|}~";

    private final SecureRandom random = new SecureRandom();

    /** What a generated password must look like. */
    public record Policy(int length, boolean excludeSymbols, String excludeCharacters) {

        /**
         * @throws BrokerException INVALID_INPUT when the length is out of range or the
         *     exclusions leave a character class empty
         */
        public Policy {
            length = length == 0 ? DEFAULT_LENGTH : length;
            if (length < MIN_LENGTH || length > MAX_LENGTH) {
                throw invalid("password_policy.length must be 0 (default " + DEFAULT_LENGTH + ") or "
                        + MIN_LENGTH + ".." + MAX_LENGTH);
            }
            excludeCharacters = excludeCharacters == null ? "" : excludeCharacters;
            if (excludeCharacters.length() > 128) {
                throw invalid("password_policy.exclude_characters is longer than 128 characters");
            }
            List<String> classes = classes(excludeSymbols, excludeCharacters);
            for (String set : classes) {
                if (set.isEmpty()) {
                    throw invalid("password_policy.exclude_characters leaves a character class empty");
                }
            }
            if (classes.stream().mapToInt(String::length).sum() < MIN_ALPHABET) {
                throw invalid("password_policy.exclude_characters leaves fewer than " + MIN_ALPHABET
                        + " characters to choose from");
            }
        }

        public static Policy defaults() {
            return new Policy(0, false, "");
        }

        private static BrokerException invalid(String message) {
            return BrokerException.invalidInput("INVALID_PASSWORD_POLICY", message);
        }
    }

    public String generate(Policy policy) {
        List<String> classes = classes(policy.excludeSymbols(), policy.excludeCharacters());
        String all = String.join("", classes);
        char[] password = new char[policy.length()];
        for (int i = 0; i < password.length; i++) {
            String from = i < classes.size() ? classes.get(i) : all;
            password[i] = from.charAt(random.nextInt(from.length()));
        }
        for (int i = password.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            char swap = password[i];
            password[i] = password[j];
            password[j] = swap;
        }
        return new String(password);
    }

    private static List<String> classes(boolean excludeSymbols, String excluded) {
        List<String> classes = new ArrayList<>(4);
        for (String set : excludeSymbols ? List.of(UPPER, LOWER, DIGITS) : List.of(UPPER, LOWER, DIGITS, SYMBOLS)) {
            StringBuilder kept = new StringBuilder(set.length());
            set.chars().filter(c -> excluded.indexOf(c) < 0).forEach(c -> kept.append((char) c));
            classes.add(kept.toString());
        }
        return classes;
    }
}
