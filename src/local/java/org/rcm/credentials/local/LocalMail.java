package org.rcm.credentials.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;

/**
 * A real SMTP server on this machine (GreenMail) for the broker's e-mails in the tests and the
 * local run, with a small HTTP API that lists what it received ({@code GET /_mail/messages}),
 * so that tests in any class loader, and people, can read the mails back.
 */
public final class LocalMail implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final GreenMail smtp;
    private final HttpServer control;

    private LocalMail(GreenMail smtp, HttpServer control) {
        this.smtp = smtp;
        this.control = control;
    }

    /** Starts the SMTP server and its HTTP API, each on a free port of 127.0.0.1. */
    public static LocalMail start() {
        GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        smtp.start();
        try {
            HttpServer control = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
            LocalMail mail = new LocalMail(smtp, control);
            control.createContext("/_mail/messages", exchange -> {
                byte[] body = mail.messagesJson();
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            control.start();
            return mail;
        } catch (IOException e) {
            smtp.stop();
            throw new UncheckedIOException("could not start the local mail API", e);
        }
    }

    public int smtpPort() {
        return smtp.getSmtp().getPort();
    }

    /** Where the received mails can be read: {@code GET <uri>/_mail/messages}. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + control.getAddress().getPort());
    }

    /** The broker's settings for sending here: plain SMTP on localhost (a local sink, never a real server). */
    public Map<String, String> brokerConfig() {
        return Map.of(
                "rcm.notifications.smtp-host", "127.0.0.1",
                "quarkus.mailer.host", "127.0.0.1",
                "quarkus.mailer.port", String.valueOf(smtpPort()),
                "quarkus.mailer.start-tls", "DISABLED",
                "quarkus.mailer.tls", "false");
    }

    private byte[] messagesJson() throws IOException {
        ArrayNode messages = JSON.createArrayNode();
        try {
            for (MimeMessage message : smtp.getReceivedMessages()) {
                ArrayNode to = JSON.createArrayNode();
                for (Address address : message.getAllRecipients()) {
                    to.add(address.toString());
                }
                messages.addObject()
                        .put("from", message.getFrom()[0].toString())
                        .put("subject", message.getSubject())
                        .put("body", GreenMailUtil.getBody(message))
                        .set("to", to);
            }
        } catch (MessagingException e) {
            throw new IOException(e);
        }
        return JSON.writeValueAsBytes(messages);
    }

    @Override
    public void close() {
        control.stop(0);
        smtp.stop();
    }
}
