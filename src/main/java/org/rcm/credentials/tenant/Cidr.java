package org.rcm.credentials.tenant;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** An IPv4 or IPv6 address range in CIDR notation, e.g. {@code 10.0.0.0/8} or {@code fd00::/8}. */
public record Cidr(byte[] network, int prefixLength) {

    /**
     * Dotted-quad IPv4, or IPv6 (which has a colon). Nothing else reaches
     * {@link InetAddress#getByName}: a word of hex letters would be looked up in DNS, and the
     * legacy forms {@code 127.1} or {@code 2130706433} would be read as other addresses.
     */
    private static final Pattern LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}|[0-9a-fA-F.]*:[0-9a-fA-F:.]*");

    /**
     * Parses {@code address/prefix}; a bare address is a single host.
     *
     * @throws IllegalArgumentException when it is not a literal address range (no names are resolved)
     */
    public static Cidr parse(String cidr) {
        String[] parts = cidr.trim().split("/", 2);
        if (!LITERAL.matcher(parts[0]).matches()) {
            throw new IllegalArgumentException("not an IP address range: " + cidr);
        }
        try {
            byte[] address = InetAddress.getByName(parts[0]).getAddress();
            int prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : address.length * 8;
            if (prefix < 0 || prefix > address.length * 8) {
                throw new IllegalArgumentException("prefix length out of range: " + cidr);
            }
            return new Cidr(address, prefix);
        } catch (UnknownHostException | NumberFormatException e) {
            throw new IllegalArgumentException("not an IP address range: " + cidr, e);
        }
    }

    /** Whether {@code address} (a literal IP) lies in this range; addresses of the other family never do. */
    public boolean contains(InetAddress address) {
        byte[] candidate = address.getAddress();
        if (candidate.length != network.length) {
            return false;
        }
        int fullBytes = prefixLength / 8;
        for (int i = 0; i < fullBytes; i++) {
            if (candidate[i] != network[i]) {
                return false;
            }
        }
        int remainingBits = prefixLength % 8;
        if (remainingBits == 0) {
            return true;
        }
        int mask = 0xFF << (8 - remainingBits) & 0xFF;
        return (candidate[fullBytes] & mask) == (network[fullBytes] & mask);
    }
}
