package org.senproxy.audit;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;

/**
 * How long the audit trail keeps its entries ({@code senproxy.audit.retention-days}; 0, the default, keeps them for
 * ever), and the proxy's periodic signed checkpoints of it. Run by the audit-retention and audit-checkpoint routes.
 * Entries go only under a checkpoint signed by the proxy's key ({@link AuditTrail#prune}), so a retention needs
 * {@code senproxy.signing.key-file}.
 */
public class AuditRetention {

    private final AuditTrail audit;
    private final int days;
    private final Clock clock;

    public AuditRetention(AuditTrail audit, int days, Clock clock) {
        if (days < 0) {
            throw new IllegalStateException(
                    "senproxy.audit.retention-days must be 0 (keep for ever) or more, not " + days);
        }
        if (days > 0 && !audit.signsCheckpoints()) {
            throw new IllegalStateException(
                    "senproxy.audit.retention-days=" + days + " needs senproxy.signing.key-file:"
                            + " audit entries are removed only under a checkpoint signed by the proxy's key");
        }
        this.audit = audit;
        this.days = days;
        this.clock = clock;
    }

    /** @return the number of entries removed (none when kept for ever) */
    public int prune() throws SQLException {
        return days == 0 ? 0 : audit.prune(clock.instant().minus(Duration.ofDays(days)));
    }

    /** @return 1 when a checkpoint was written, 0 when nothing came since the last one (or no key) */
    public int checkpoint() throws SQLException {
        return audit.checkpoint() == null ? 0 : 1;
    }
}
