package org.senproxy.outbox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.senproxy.audit.AuditEvent;
import org.senproxy.audit.AuditTrail;
import org.senproxy.audit.Transfers;

/**
 * The audit entries of messages' outcomes (acknowledged, rejected, failed, withheld, narrowed), shared by
 * {@link OutboxDispatch}, {@link OutboxAcks} and {@link QueuedTrim}.
 */
final class Outcomes {

    private Outcomes() {}

    /** The audit entry of one message's outcome, by {@code actor}: its id, recipient, description and reason. */
    static AuditEvent transfer(
            String kind,
            String actor,
            String messageId,
            String recipient,
            String consentRef,
            String owner,
            Map<String, Object> description,
            String reason) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("message", messageId);
        detail.put("to", recipient);
        detail.putAll(description);
        if (reason != null) {
            detail.put("reason", reason);
        }
        return AuditEvent.of(kind, actor, owner, consentRef, detail);
    }

    /**
     * A settled row's description, from the two columns at {@code column} that the statements settling rows return:
     * the {@code transfer} column written with the row, and, only for a row from before that column, its payload to
     * describe (a payload is not read back otherwise).
     */
    static Map<String, Object> description(ResultSet rs, int column) throws SQLException {
        String written = rs.getString(column);
        return written != null ? AuditTrail.detailOf(written) : Transfers.describe(rs.getString(column + 1));
    }
}
