package org.senproxy.audit;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;

/**
 * How long the audit trail keeps its entries ({@code senproxy.audit.retention-days}; 0, the default, keeps them for
 * ever). Run by the audit-retention route; the chain stays verifiable from the anchor {@link AuditTrail#prune} leaves.
 */
public class AuditRetention {

    private final AuditTrail audit;
    private final int days;
    private final Clock clock;

    public AuditRetention(AuditTrail audit, int days, Clock clock) {
        if (days < 0) {
            throw new IllegalStateException("senproxy.audit.retention-days must be 0 (keep for ever) or more, not "
                    + days);
        }
        this.audit = audit;
        this.days = days;
        this.clock = clock;
    }

    /** @return the number of entries removed (none when kept for ever) */
    public int prune() throws SQLException {
        return days == 0 ? 0 : audit.prune(clock.instant().minus(Duration.ofDays(days)));
    }
}
