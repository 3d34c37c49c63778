package org.rcm.credentials.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntPredicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.rcm.credentials.credential.PasswordGenerator.Policy;
import org.rcm.credentials.error.BrokerException;

/**
 * Generated passwords: the length the policy asks for (default 32, 12..128), one character of
 * every class in use, nothing the policy excludes, every allowed character in use; policies
 * that cannot be met are refused as invalid input.
 */
class PasswordGeneratorTest {

    /** Characters per distribution sample: every allowed character is expected about 220 times. */
    private static final int SAMPLE = 20_000;

    private final PasswordGenerator generator = new PasswordGenerator();

    @Test
    void lengthZeroMeansTheDefaultOf32() {
        assertEquals(32, new Policy(0, false, "").length());
        assertEquals(32, Policy.defaults().length());
        assertThat(generator.generate(Policy.defaults())).hasSize(32);
    }

    @ParameterizedTest
    @ValueSource(ints = {12, 13, 32, 127, 128})
    void passwordsHaveExactlyTheLengthAsked(int length) {
        for (int i = 0; i < 50; i++) {
            assertThat(generator.generate(new Policy(length, false, ""))).hasSize(length);
        }
    }

    @Test
    void everyPasswordHasOneCharacterOfEachClass() {
        // At the shortest length, where only 8 of 12 characters are free.
        for (int i = 0; i < 2_000; i++) {
            String password = generator.generate(new Policy(12, false, ""));
            assertThat(password).as(password)
                    .matches(has(PasswordGenerator.UPPER))
                    .matches(has(PasswordGenerator.LOWER))
                    .matches(has(PasswordGenerator.DIGITS))
                    .matches(has(PasswordGenerator.SYMBOLS));
        }
    }

    @Test
    void excludeSymbolsLeavesLettersAndDigitsOnly() {
        for (int i = 0; i < 2_000; i++) {
            String password = generator.generate(new Policy(12, true, ""));
            assertThat(password).as(password)
                    .matches("[A-Za-z0-9]{12}")
                    .matches(has(PasswordGenerator.UPPER))
                    .matches(has(PasswordGenerator.LOWER))
                    .matches(has(PasswordGenerator.DIGITS));
        }
    }

    @Test
    void excludedCharactersNeverAppearAndEveryClassStaysPresent() {
        String excluded = "0O1lI|`'\"\\{}";
        Policy policy = new Policy(12, false, excluded);
        for (int i = 0; i < 2_000; i++) {
            String password = generator.generate(policy);
            assertThat(password.chars()).as(password).noneMatch(c -> excluded.indexOf(c) >= 0);
            assertThat(password).as(password)
                    .matches(has(PasswordGenerator.UPPER))
                    .matches(has(PasswordGenerator.LOWER))
                    .matches(has(PasswordGenerator.DIGITS))
                    .matches(has(PasswordGenerator.SYMBOLS));
        }
    }

    @Test
    void exclusionsThatLeaveOneCharacterInAClassForceThatCharacter() {
        Policy policy = new Policy(12, true, "012345678");
        for (int i = 0; i < 500; i++) {
            String password = generator.generate(policy);
            assertThat(password).as(password).contains("9").doesNotContainPattern("[0-8]");
        }
    }

    static Stream<Arguments> alphabets() {
        String all = PasswordGenerator.UPPER + PasswordGenerator.LOWER + PasswordGenerator.DIGITS + PasswordGenerator.SYMBOLS;
        String letters = PasswordGenerator.UPPER + PasswordGenerator.LOWER + PasswordGenerator.DIGITS;
        return Stream.of(
                Arguments.of(new Policy(128, false, ""), all),
                Arguments.of(new Policy(128, true, ""), letters),
                Arguments.of(new Policy(64, false, "aeiouAEIOU!#"), without(all, "aeiouAEIOU!#")),
                Arguments.of(new Policy(32, true, "xyz"), without(letters, "xyz")));
    }

    /**
     * Over 20,000 characters every allowed character appears, nothing else does, and no
     * character is far from its expected share. Not flaky: each character is expected over 200
     * times, so the chance that one is missing or off by half its share is below one in a
     * billion.
     */
    @ParameterizedTest
    @MethodSource("alphabets")
    void everyAllowedCharacterIsUsedAndNoneDominates(Policy policy, String allowed) {
        Map<Character, Integer> counts = new TreeMap<>();
        int total = 0;
        while (total < SAMPLE) {
            for (char c : generator.generate(policy).toCharArray()) {
                counts.merge(c, 1, Integer::sum);
            }
            total += policy.length();
        }

        assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(allowed.chars().mapToObj(c -> (char) c).toList());
        double expected = (double) total / allowed.length();
        assertThat(counts).allSatisfy((c, n) -> assertThat(n).as("count of '%s'", c)
                .isBetween((int) (expected * 0.5), (int) (expected * 1.5)));
    }

    @Test
    void passwordsDiffer() {
        assertThat(Stream.generate(() -> generator.generate(Policy.defaults())).limit(1_000).distinct()).hasSize(1_000);
    }

    static Stream<Arguments> invalidPolicies() {
        return Stream.of(
                Arguments.of(11, false, ""),
                Arguments.of(129, false, ""),
                Arguments.of(-1, false, ""),
                Arguments.of(Integer.MIN_VALUE, false, ""),
                Arguments.of(1_000, true, ""),
                Arguments.of(32, false, PasswordGenerator.DIGITS),
                Arguments.of(32, false, PasswordGenerator.UPPER),
                Arguments.of(32, true, PasswordGenerator.LOWER),
                Arguments.of(32, false, PasswordGenerator.SYMBOLS),
                Arguments.of(32, false, "!".repeat(129)));
    }

    @ParameterizedTest
    @MethodSource("invalidPolicies")
    void unsatisfiablePoliciesAreInvalidInput(int length, boolean excludeSymbols, String excludeCharacters) {
        BrokerException e = assertThrows(BrokerException.class, () -> new Policy(length, excludeSymbols, excludeCharacters));

        assertEquals(BrokerException.Kind.INVALID_INPUT, e.kind());
        assertEquals("INVALID_PASSWORD_POLICY", e.reason());
        assertThat(e.getMessage()).startsWith("password_policy.");
    }

    @Test
    void excludingEverySymbolIsFineWhenSymbolsAreExcludedAnyway() {
        Policy policy = new Policy(12, true, PasswordGenerator.SYMBOLS);

        assertThat(generator.generate(policy)).matches("[A-Za-z0-9]{12}");
    }

    @Test
    void nullExclusionsMeanNone() {
        assertEquals("", new Policy(0, false, null).excludeCharacters());
    }

    /** A regex that matches when the string has a character of {@code set}. */
    private static String has(String set) {
        StringBuilder regex = new StringBuilder("(?s).*[");
        set.chars().forEach(c -> regex.append("\\x{").append(Integer.toHexString(c)).append('}'));
        return regex.append("].*").toString();
    }

    private static String without(String set, String excluded) {
        IntPredicate kept = c -> excluded.indexOf(c) < 0;
        StringBuilder b = new StringBuilder();
        set.chars().filter(kept).forEach(c -> b.append((char) c));
        return b.toString();
    }
}
