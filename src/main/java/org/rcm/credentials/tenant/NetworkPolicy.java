package org.rcm.credentials.tenant;

import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.config.BrokerConfig.UnexpectedAddress;

/** Each tenant's allowed client address ranges, and what to do about calls from elsewhere. */
@ApplicationScoped
public class NetworkPolicy {

    /** What a call's address means for its tenant. */
    public enum Verdict {
        /** Within the ranges, or the tenant has none. */
        EXPECTED,
        /** Outside the ranges; the tenant flags such calls. */
        FLAG,
        /** Outside the ranges; the tenant refuses such calls. */
        DENY
    }

    private record Ranges(List<Cidr> allowed, UnexpectedAddress onUnexpected) {
    }

    private final Map<String, Ranges> tenants = new HashMap<>();

    public NetworkPolicy(BrokerConfig config) {
        config.network().tenants().forEach((tenant, network) -> tenants.put(tenant, new Ranges(
                network.allowedCidrs().stream().map(Cidr::parse).toList(), network.onUnexpected())));
    }

    /** The verdict on a call from {@code address} (null when unknown) for {@code tenant}. */
    public Verdict check(String tenant, InetAddress address) {
        Ranges ranges = tenants.get(tenant);
        if (ranges == null) {
            return Verdict.EXPECTED;
        }
        if (address != null && ranges.allowed().stream().anyMatch(cidr -> cidr.contains(address))) {
            return Verdict.EXPECTED;
        }
        return ranges.onUnexpected() == UnexpectedAddress.DENY ? Verdict.DENY : Verdict.FLAG;
    }
}
