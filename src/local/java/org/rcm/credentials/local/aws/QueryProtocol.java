package org.rcm.credentials.local.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The AWS Query protocol, as STS speaks it: a form-encoded POST ({@code Action=AssumeRole&
 * Version=2011-06-15&...}) answered with XML, {@code <AssumeRoleResponse><AssumeRoleResult>...}
 * or {@code <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>}.
 */
final class QueryProtocol {

    static final String CONTENT_TYPE = "text/xml";
    private static final String NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";

    private QueryProtocol() {
    }

    /** Whether a request is form-encoded: a Query protocol call. */
    static boolean isQuery(String contentType) {
        return contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded");
    }

    /** The form's parameters; a key without a value is empty. */
    static Map<String, String> form(byte[] body) {
        Map<String, String> parameters = new LinkedHashMap<>();
        String text = new String(body, StandardCharsets.UTF_8);
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String key = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            parameters.put(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return parameters;
    }

    /** The parameters as an operation's input document (every member text). */
    static JsonInput input(Map<String, String> form) {
        ObjectNode document = Json.object();
        form.forEach(document::put);
        return JsonInput.of(document);
    }

    static String response(String operation, ObjectNode result, String requestId) {
        StringBuilder xml = new StringBuilder("<").append(operation).append("Response xmlns=\"").append(NAMESPACE).append("\">");
        element(xml, operation + "Result", result);
        xml.append("<ResponseMetadata><RequestId>").append(requestId).append("</RequestId></ResponseMetadata>");
        return xml.append("</").append(operation).append("Response>").toString();
    }

    /** An error: {@code Sender} for 4xx, {@code Receiver} for 5xx. */
    static String error(AwsError error, String requestId) {
        return "<ErrorResponse xmlns=\"" + NAMESPACE + "\"><Error><Type>" + (error.status() >= 500 ? "Receiver" : "Sender")
                + "</Type><Code>" + escape(error.code()) + "</Code><Message>" + escape(error.getMessage())
                + "</Message></Error><RequestId>" + requestId + "</RequestId></ErrorResponse>";
    }

    private static void element(StringBuilder xml, String name, JsonNode node) {
        xml.append('<').append(name).append('>');
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                element(xml, field.getKey(), field.getValue());
            }
        } else {
            xml.append(escape(node.asText()));
        }
        xml.append("</").append(name).append('>');
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
