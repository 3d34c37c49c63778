package org.rcm.credentials.local;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** Reads what {@link LocalMail} received, over its HTTP API; works from any class loader. */
public final class LocalMailbox {

    /** One received mail. */
    public record Message(String from, List<String> to, String subject, String body) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final URI uri;

    public LocalMailbox(URI uri) {
        this.uri = uri;
    }

    /** Every mail received so far. */
    public List<Message> messages() {
        HttpRequest request = HttpRequest.newBuilder(uri.resolve("/_mail/messages")).timeout(Duration.ofSeconds(10)).build();
        try {
            return JSON.readValue(http.send(request, HttpResponse.BodyHandlers.ofString()).body(), new TypeReference<>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The mails sent to {@code address}. */
    public List<Message> to(String address) {
        return messages().stream().filter(message -> message.to().contains(address)).toList();
    }
}
