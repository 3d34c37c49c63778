package org.rcm.credentials.audit;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The access log's hash chains (tamper evidence). One chain per tenant and per writer, this
 * process ({@code chain_id}), so that replicas never wait for each other; in a chain, rows count
 * 1, 2, 3... ({@code chain_seq}). A row's hash is SHA-256 over the previous row's hash (32 zero
 * bytes for the first row) and the row's {@linkplain #hash canonical fields}: altering, removing
 * or inserting a row breaks the chain at that row ({@link AuditVerification}).
 *
 * <p>A row joins its chain when its batch is first taken, and keeps its place when the batch is
 * sent again. Guarded by the writer's lock.
 */
final class AuditChain {

    /** The previous hash of a chain's first row. */
    static final byte[] GENESIS = new byte[32];

    /** A row's place in its chain; the previous hash is not stored (it is the previous row's). */
    record Link(UUID chainId, long seq, byte[] prevHash, byte[] rowHash) {
    }

    /** A row with its place in its chain, as the sink writes it. */
    record Chained(AuditEvent event, Link link) {
    }

    private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]{7,15}|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*");

    private final UUID chainId = UUID.randomUUID();
    private final Map<String, Link> heads = new HashMap<>();
    private final MessageDigest sha256 = sha256();

    /** Appends the row to its tenant's chain. */
    Link append(AuditEvent event) {
        Link head = heads.get(event.tenantId());
        long seq = head == null ? 1 : head.seq() + 1;
        byte[] prev = head == null ? GENESIS : head.rowHash();
        Link link = new Link(chainId, seq, prev, hash(sha256, chainId, seq, prev, event));
        heads.put(event.tenantId(), link);
        return link;
    }

    /**
     * SHA-256 over the previous hash, the chain id and sequence number, then every column of the
     * row but its id (assigned by the database): each text as its length and UTF-8 bytes (-1 for
     * null), the address as its bytes, the time in microseconds (the column's precision), and
     * flags as one byte each.
     */
    static byte[] hash(MessageDigest digest, UUID chainId, long seq, byte[] prevHash, AuditEvent e) {
        digest.reset();
        digest.update(prevHash);
        ByteBuffer fixed = ByteBuffer.allocate(24)
                .putLong(chainId.getMostSignificantBits())
                .putLong(chainId.getLeastSignificantBits())
                .putLong(seq);
        digest.update(fixed.array());
        for (String text : new String[] {e.tenantId(), e.portalId(), e.secretArn(), e.accessType().dbValue(), e.accessBy()}) {
            update(digest, text == null ? null : text.getBytes(StandardCharsets.UTF_8));
        }
        update(digest, address(e.ipAddress()));
        update(digest, e.userAgent() == null ? null : e.userAgent().getBytes(StandardCharsets.UTF_8));
        update(digest, e.errorMessage() == null ? null : e.errorMessage().getBytes(StandardCharsets.UTF_8));
        Instant at = e.accessedAt();
        digest.update(ByteBuffer.allocate(11)
                .putLong(ChronoUnit.MICROS.between(Instant.EPOCH, at))
                .put((byte) (e.success() ? 1 : 0))
                .put((byte) (e.unexpectedIp() ? 1 : 0))
                .put((byte) (e.failureBurst() ? 1 : 0))
                .array());
        return digest.digest();
    }

    private static void update(MessageDigest digest, byte[] bytes) {
        digest.update(ByteBuffer.allocate(4).putInt(bytes == null ? -1 : bytes.length).array());
        if (bytes != null) {
            digest.update(bytes);
        }
    }

    /**
     * An address literal as its bytes, whichever way it is written ({@code ::1} and
     * {@code 0:0:0:0:0:0:0:1} alike, as {@code inet} stores it); never a name lookup.
     */
    private static byte[] address(String literal) {
        if (literal == null || !IP_LITERAL.matcher(literal).matches()) {
            return literal == null ? null : literal.getBytes(StandardCharsets.UTF_8);
        }
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            return literal.getBytes(StandardCharsets.UTF_8);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
