package org.rcm.credentials.local.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ssm.model.GetParameterHistoryResponse;
import software.amazon.awssdk.services.ssm.model.LabelParameterVersionResponse;
import software.amazon.awssdk.services.ssm.model.Parameter;
import software.amazon.awssdk.services.ssm.model.ParameterHistory;
import software.amazon.awssdk.services.ssm.model.ParameterTier;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.PutParameterResponse;
import software.amazon.awssdk.services.ssm.model.UnlabelParameterVersionResponse;

class SsmParameterStoreWireTest extends LocalAwsTestBase {

    private static final String NAME = "/rcm/portal-a/password";

    @Test
    void putThenGetReturnsValueVersionArnAndDataType() {
        PutParameterResponse put = put(NAME, "s3cret", false);

        Parameter parameter = get(NAME);

        assertEquals(1L, put.version());
        assertEquals(ParameterTier.STANDARD, put.tier());
        assertEquals("s3cret", parameter.value());
        assertEquals(ParameterType.STRING, parameter.type());
        assertEquals(1L, parameter.version());
        assertEquals("arn:aws:ssm:us-east-1:000000000000:parameter/rcm/portal-a/password", parameter.arn());
        assertEquals("text", parameter.dataType());
        assertNotNull(parameter.lastModifiedDate());
        assertNull(parameter.selector());
    }

    @Test
    void putOfExistingNameWithoutOverwriteFailsWithParameterAlreadyExists() {
        put(NAME, "one", false);

        AwsServiceException error = failure(ssm.putParameter(p -> p.name(NAME).value("two").type(ParameterType.STRING)));

        assertEquals("ParameterAlreadyExists", error.awsErrorDetails().errorCode());
        assertEquals(400, error.statusCode());
        assertEquals("one", get(NAME).value());
    }

    @Test
    void putWithoutTypeOnCreateFailsWithValidationException() {
        assertEquals("ValidationException", errorCode(ssm.putParameter(p -> p.name(NAME).value("v"))));
        assertEquals("ValidationException",
                errorCode(ssm.putParameter(p -> p.name(NAME).value("").type(ParameterType.STRING))));
    }

    @Test
    void overwriteCreatesIncreasingVersionsReadableBySelector() {
        put(NAME, "v1", false);
        put(NAME, "v2", true);
        assertEquals(3L, put(NAME, "v3", true).version());
        ssm.labelParameterVersion(l -> l.name(NAME).parameterVersion(2L).labels("current")).join();

        Parameter byVersion = get(NAME + ":1");
        Parameter byLabel = get(NAME + ":current");

        assertEquals("v3", get(NAME).value());
        assertEquals("v1", byVersion.value());
        assertEquals(":1", byVersion.selector());
        assertEquals("v2", byLabel.value());
        assertEquals(2L, byLabel.version());
        assertEquals(":current", byLabel.selector());
        assertEquals("ParameterVersionNotFound", errorCode(ssm.getParameter(g -> g.name(NAME + ":9"))));
        assertEquals("ParameterVersionNotFound", errorCode(ssm.getParameter(g -> g.name(NAME + ":nolabel"))));
        AwsServiceException missing = failure(ssm.getParameter(g -> g.name("/rcm/missing")));
        assertEquals("ParameterNotFound", missing.awsErrorDetails().errorCode());
        assertEquals("Parameter /rcm/missing not found.", missing.awsErrorDetails().errorMessage());
        assertEquals("ParameterNotFound", errorCode(ssm.getParameter(g -> g.name("/rcm/missing:1"))));
    }

    @Test
    void labelMovesSilentlyAndInvalidLabelsAreReportedNotAttached() {
        put(NAME, "v1", false);
        ssm.labelParameterVersion(l -> l.name(NAME).parameterVersion(1L).labels("stable")).join();
        put(NAME, "v2", true);
        String tooLong = "a".repeat(101);

        LabelParameterVersionResponse labelled = ssm.labelParameterVersion(l -> l.name(NAME)
                .labels("stable", "1st", "aws-x", "SSMlabel", "bad label", tooLong)).join();

        assertEquals(2L, labelled.parameterVersion());
        assertEquals(List.of("1st", "aws-x", "SSMlabel", "bad label", tooLong), labelled.invalidLabels());
        List<ParameterHistory> history = history(50, null).parameters();
        assertEquals(List.of(), history.get(0).labels());
        assertEquals(List.of("stable"), history.get(1).labels());
    }

    @Test
    void labellingUnknownVersionFailsWithParameterVersionNotFound() {
        put(NAME, "v1", false);

        assertEquals("ParameterVersionNotFound",
                errorCode(ssm.labelParameterVersion(l -> l.name(NAME).parameterVersion(5L).labels("x"))));
    }

    @Test
    void eleventhLabelOnOneVersionFailsWithParameterVersionLabelLimitExceeded() {
        put(NAME, "v1", false);
        List<String> ten = IntStream.range(0, 10).mapToObj(i -> "label" + i).toList();
        ssm.labelParameterVersion(l -> l.name(NAME).labels(ten)).join();

        AwsServiceException error = failure(ssm.labelParameterVersion(l -> l.name(NAME).labels("extra")));

        assertEquals("ParameterVersionLabelLimitExceeded", error.awsErrorDetails().errorCode());
        assertEquals(10, history(50, null).parameters().get(0).labels().size());
    }

    @Test
    void unlabelRemovesAttachedLabelsAndReportsTheOthers() {
        put(NAME, "v1", false);
        put(NAME, "v2", true);
        ssm.labelParameterVersion(l -> l.name(NAME).parameterVersion(1L).labels("old", "keep")).join();
        ssm.labelParameterVersion(l -> l.name(NAME).parameterVersion(2L).labels("new")).join();

        UnlabelParameterVersionResponse response = ssm.unlabelParameterVersion(u -> u.name(NAME)
                .parameterVersion(1L).labels("old", "new", "never")).join();

        assertEquals(List.of("old"), response.removedLabels());
        assertEquals(List.of("new", "never"), response.invalidLabels());
        assertEquals(List.of("keep"), history(50, null).parameters().get(0).labels());
        assertEquals("ParameterVersionNotFound", errorCode(ssm.getParameter(g -> g.name(NAME + ":old"))));
    }

    @Test
    void historyIsOldestFirstAndPagesWithNextToken() {
        IntStream.rangeClosed(1, 7).forEach(i -> put(NAME, "v" + i, i > 1));

        List<Long> versions = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        String token = null;
        do {
            GetParameterHistoryResponse page = history(3, token);
            page.parameters().forEach(item -> versions.add(item.version()));
            pageSizes.add(page.parameters().size());
            token = page.nextToken();
        } while (token != null);

        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L), versions);
        assertEquals(List.of(3, 3, 1), pageSizes);
        assertEquals("ValidationException",
                errorCode(ssm.getParameterHistory(h -> h.name(NAME).maxResults(51))));
    }

    @Test
    void deleteRemovesAllVersionsAndRecreatingStartsAtVersionOne() {
        put(NAME, "v1", false);
        put(NAME, "v2", true);
        ssm.labelParameterVersion(l -> l.name(NAME).labels("stable")).join();

        ssm.deleteParameter(d -> d.name(NAME)).join();

        assertEquals("ParameterNotFound", errorCode(ssm.getParameter(g -> g.name(NAME))));
        assertEquals("ParameterNotFound", errorCode(ssm.deleteParameter(d -> d.name(NAME))));
        assertEquals(1L, put(NAME, "again", false).version());
        assertEquals("ParameterVersionNotFound", errorCode(ssm.getParameter(g -> g.name(NAME + ":stable"))));
    }

    @Test
    void standardTierAllows4096CharactersAndAdvancedTier8192() {
        assertEquals(1L, put(NAME, "x".repeat(4096), false).version());
        AwsServiceException tooLong = failure(ssm.putParameter(p -> p.name(NAME).value("x".repeat(4097))
                .type(ParameterType.STRING).tier(ParameterTier.STANDARD).overwrite(true)));
        assertEquals("ValidationException", tooLong.awsErrorDetails().errorCode());
        assertEquals(400, tooLong.statusCode());
        assertTrue(tooLong.awsErrorDetails().errorMessage().startsWith(
                "Standard tier parameters support a maximum parameter value of 4096 characters"));

        PutParameterResponse advanced = ssm.putParameter(p -> p.name(NAME).value("x".repeat(8192))
                .type(ParameterType.STRING).tier(ParameterTier.ADVANCED).overwrite(true)).join();
        assertEquals(ParameterTier.ADVANCED, advanced.tier());
        assertEquals("ValidationException", errorCode(ssm.putParameter(p -> p.name(NAME)
                .value("x".repeat(8193)).type(ParameterType.STRING).tier(ParameterTier.ADVANCED).overwrite(true))));
    }

    @Test
    void onlyTheHundredMostRecentVersionsAreKeptUnlessTheOldestIsLabelled() {
        IntStream.rangeClosed(1, 101).forEach(i -> put(NAME, "v" + i, i > 1));

        assertEquals("ParameterVersionNotFound", errorCode(ssm.getParameter(g -> g.name(NAME + ":1"))));
        assertEquals("v2", get(NAME + ":2").value());
        assertEquals(2L, history(50, null).parameters().get(0).version());

        ssm.labelParameterVersion(l -> l.name(NAME).parameterVersion(2L).labels("pinned")).join();
        AwsServiceException error = failure(ssm.putParameter(p -> p.name(NAME).value("v102")
                .type(ParameterType.STRING).overwrite(true)));

        assertEquals("ParameterMaxVersionLimitExceeded", error.awsErrorDetails().errorCode());
        assertEquals(101L, get(NAME).version());
    }

    @Test
    void secureStringIsOpaqueWithoutDecryption() {
        ssm.putParameter(p -> p.name(NAME).value("plain-secret").type(ParameterType.SECURE_STRING)).join();

        Parameter hidden = ssm.getParameter(g -> g.name(NAME)).join().parameter();
        Parameter decrypted = ssm.getParameter(g -> g.name(NAME).withDecryption(true)).join().parameter();

        assertNotEquals("plain-secret", hidden.value());
        assertFalse(hidden.value().contains("plain-secret"));
        assertEquals("plain-secret", decrypted.value());
        assertEquals(ParameterType.SECURE_STRING, decrypted.type());
        assertEquals("alias/aws/ssm", history(50, null).parameters().get(0).keyId());
    }

    private PutParameterResponse put(String name, String value, boolean overwrite) {
        return ssm.putParameter(p -> p.name(name).value(value).type(ParameterType.STRING).overwrite(overwrite)).join();
    }

    private Parameter get(String name) {
        return ssm.getParameter(g -> g.name(name).withDecryption(true)).join().parameter();
    }

    private GetParameterHistoryResponse history(int maxResults, String token) {
        return ssm.getParameterHistory(h -> h.name(NAME).withDecryption(true).maxResults(maxResults).nextToken(token))
                .join();
    }
}
