package org.rcm.credentials.local.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The raw AWS JSON 1.1 wire format, checked without the SDK. */
class AwsJsonProtocolTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private LocalAwsEndpoint endpoint;

    @BeforeEach
    void startEndpoint() {
        endpoint = LocalAwsEndpoint.start(LocalAwsEndpoint.Options.defaults());
    }

    @AfterEach
    void stopEndpoint() {
        endpoint.close();
    }

    @Test
    void successAnswersJson11WithRequestIdAndEpochSecondTimestamps() throws Exception {
        call("AmazonSSM.PutParameter", "{\"Name\":\"/p\",\"Value\":\"v\",\"Type\":\"String\"}");

        HttpResponse<String> response = call("AmazonSSM.GetParameter", "{\"Name\":\"/p\"}");

        assertEquals(200, response.statusCode());
        assertEquals("application/x-amz-json-1.1", response.headers().firstValue("Content-Type").orElseThrow());
        UUID.fromString(response.headers().firstValue("x-amzn-RequestId").orElseThrow());
        JsonNode modified = json(response).path("Parameter").path("LastModifiedDate");
        assertTrue(modified.isNumber());
        assertTrue(Math.abs(modified.doubleValue() - System.currentTimeMillis() / 1000.0) < 60);
    }

    @Test
    void emptyOutputIsAnEmptyObject() throws Exception {
        call("AmazonSSM.PutParameter", "{\"Name\":\"/p\",\"Value\":\"v\",\"Type\":\"String\"}");

        assertEquals("{}", call("AmazonSSM.DeleteParameter", "{\"Name\":\"/p\"}").body());
    }

    @Test
    void parameterErrorsUseLowercaseMessageAndOthersCapitalised() throws Exception {
        JsonNode ssmError = json(call("AmazonSSM.GetParameter", "{\"Name\":\"/missing\"}"));
        JsonNode secretsError = json(call("secretsmanager.GetSecretValue", "{\"SecretId\":\"missing\"}"));

        assertEquals("ParameterNotFound", ssmError.path("__type").asText());
        assertTrue(ssmError.has("message"));
        assertEquals("ResourceNotFoundException", secretsError.path("__type").asText());
        assertTrue(secretsError.has("Message"));
        assertFalse(secretsError.has("message"));
    }

    @Test
    void unknownTargetAnswersUnknownOperationException() throws Exception {
        HttpResponse<String> unknownService = call("AmazonS3.GetObject", "{}");
        HttpResponse<String> unknownOperation = call("AmazonSSM.GetParametersByPath", "{}");

        assertEquals(400, unknownService.statusCode());
        assertEquals("UnknownOperationException", json(unknownService).path("__type").asText());
        assertEquals(400, unknownOperation.statusCode());
        assertEquals("UnknownOperationException", json(unknownOperation).path("__type").asText());
    }

    @Test
    void malformedJsonAnswersSerializationException() throws Exception {
        HttpResponse<String> response = call("AmazonSSM.GetParameter", "{\"Name\":");

        assertEquals(400, response.statusCode());
        assertEquals("SerializationException", json(response).path("__type").asText());
    }

    @Test
    void missingRequiredMemberAnswersValidationException() throws Exception {
        HttpResponse<String> response = call("secretsmanager.GetSecretValue", "{}");

        assertEquals(400, response.statusCode());
        assertEquals("ValidationException", json(response).path("__type").asText());
    }

    private HttpResponse<String> call(String target, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(endpoint.uri().resolve("/"))
                .header("Content-Type", "application/x-amz-json-1.1")
                .header("X-Amz-Target", target)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return Json.MAPPER.readTree(response.body());
    }
}
