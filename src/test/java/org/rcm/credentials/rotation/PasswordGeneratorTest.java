package org.rcm.credentials.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntPredicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.rotation.PasswordGenerator.Policy;

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
            assertHasEveryClass(password, PasswordGenerator.UPPER, PasswordGenerator.LOWER, PasswordGenerator.DIGITS,
                    PasswordGenerator.SYMBOLS);
        }
    }

    @Test
    void excludeSymbolsLeavesLettersAndDigitsOnly() {
        for (int i = 0; i < 2_000; i++) {
            String password = generator.generate(new Policy(12, true, ""));
            assertThat(password).matches("[A-Za-z0-9]{12}");
            assertHasEveryClass(password, PasswordGenerator.UPPER, PasswordGenerator.LOWER, PasswordGenerator.DIGITS);
        }
    }

    @Test
    void excludedCharactersNeverAppearAndEveryClassStaysPresent() {
        String excluded = "0O1lI|`'\"\\{}";
        Policy policy = new Policy(12, false, excluded);
        for (int i = 0; i < 2_000; i++) {
            String password = generator.generate(policy);
            assertThat(password.chars()).as(password).noneMatch(c -> excluded.indexOf(c) >= 0);
            assertHasEveryClass(password, PasswordGenerator.UPPER, PasswordGenerator.LOWER, PasswordGenerator.DIGITS,
                    PasswordGenerator.SYMBOLS);
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

    /**
     * The character forced from each class may land anywhere: at every position each class has
     * the share it has over all positions. Without the shuffle the first four positions would
     * always hold an upper-case letter, a lower-case letter, a digit and a symbol. Not flaky:
     * over 4,000 passwords a position's share has a standard deviation below 0.01, and the
     * bound is 0.05.
     */
    @Test
    void noPositionFavoursAClass() {
        List<String> classes = List.of(PasswordGenerator.UPPER, PasswordGenerator.LOWER, PasswordGenerator.DIGITS,
                PasswordGenerator.SYMBOLS);
        int passwords = 4_000;
        int length = 12;
        int[][] counts = new int[length][classes.size()];
        for (int i = 0; i < passwords; i++) {
            String password = generator.generate(new Policy(length, false, ""));
            for (int position = 0; position < length; position++) {
                char c = password.charAt(position);
                counts[position][indexOfClass(classes, c)]++;
            }
        }

        for (int k = 0; k < classes.size(); k++) {
            int kk = k;
            double overall = Arrays.stream(counts).mapToInt(row -> row[kk]).sum() / (double) (passwords * length);
            for (int position = 0; position < length; position++) {
                assertThat(counts[position][k] / (double) passwords).as("share of class %d at position %d", k, position)
                        .isCloseTo(overall, within(0.05));
            }
        }
    }

    private static int indexOfClass(List<String> classes, char c) {
        for (int k = 0; k < classes.size(); k++) {
            if (classes.get(k).indexOf(c) >= 0) {
                return k;
            }
        }
        throw new AssertionError("'" + c + "' is in no class");
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

    private static void assertHasEveryClass(String password, String... classes) {
        for (String set : classes) {
            assertThat(password.chars()).as("%s has a character of %s", password, set).anyMatch(c -> set.indexOf(c) >= 0);
        }
    }

    private static String without(String set, String excluded) {
        IntPredicate kept = c -> excluded.indexOf(c) < 0;
        StringBuilder b = new StringBuilder();
        set.chars().filter(kept).forEach(c -> b.append((char) c));
        return b.toString();
    }
}
