package org.senproxy.inbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.senproxy.audit.AuditEvent;
import org.senproxy.audit.AuditTrail;
import org.senproxy.audit.Transfers;
import org.senproxy.delivery.Reasons;
import org.senproxy.delivery.RetryPolicy;
import org.senproxy.federation.FederationMessage;
import org.senproxy.senml.Senml;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbox table. A message is stored once per (sender, message id), whatever the number of resends;
 * it is then delivered to the local sink, retried with backoff, and dead-lettered when out of attempts.
 */
public class InboxRepository {

    private static final Logger LOG = LoggerFactory.getLogger(InboxRepository.class);

    /** The new row is leased to the caller, which delivers it at once; a crash lets the lease run out. */
    private static final String STORE = "INSERT INTO inbox (sender_jid, message_id, correlation_id, format_version,"
            + " payload, record_count, next_attempt_at, claimed_by)"
            + " VALUES (?, ?, ?, ?, ?, ?, now() + ? * interval '1 millisecond', ?)"
            + " ON CONFLICT (sender_jid, message_id) DO NOTHING RETURNING id";

    private static final String CLAIM = "UPDATE inbox i SET next_attempt_at = now() + ? * interval '1 millisecond',"
            + " claimed_by = ? FROM ("
            + "  SELECT id FROM inbox WHERE status = 'pending' AND next_attempt_at <= now()"
            + "  ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED) due"
            + " WHERE i.id = due.id"
            + " RETURNING i.id, i.sender_jid, i.message_id, i.correlation_id, i.payload, i.record_count, i.attempts";

    private static final String DELIVERED = "UPDATE inbox SET status = 'delivered', delivered_at = now(),"
            + " attempts = attempts + 1, last_error = NULL WHERE id = ? AND status = 'pending'";

    private static final String FAILED = "UPDATE inbox SET attempts = attempts + 1, next_attempt_at = ?,"
            + " last_error = ? WHERE id = ? AND status = 'pending'";

    private static final String DEAD = "WITH dead AS ("
            + " UPDATE inbox SET status = 'dead', attempts = attempts + 1, last_error = ?"
            + " WHERE id = ? AND status = 'pending'"
            + " RETURNING id, message_id, sender_jid, attempts, payload, correlation_id)"
            + " INSERT INTO dead_letter (origin, row_id, message_id, route_id, peer_jid, reason, attempts, payload,"
            + " correlation_id)"
            + " SELECT 'inbox', id, message_id, 'inbox-deliver', sender_jid,"
            + "  'not delivered after ' || attempts || ' attempts; last error: ' || ?, attempts, payload, correlation_id"
            + " FROM dead";

    private final DataSource dataSource;
    private final AuditTrail audit;
    private final String replica;
    private final int batchSize;
    private final long leaseMillis;
    private final RetryPolicy retry;

    /** @param audit where each message stored is recorded ({@code transfer.received}), in the same transaction */
    public InboxRepository(DataSource dataSource, AuditTrail audit, String replica, int batchSize, long leaseMillis,
            RetryPolicy retry) {
        this.dataSource = dataSource;
        this.audit = audit;
        this.replica = replica;
        this.batchSize = batchSize;
        this.leaseMillis = leaseMillis;
        this.retry = retry;
    }

    /**
     * Commits a received message. Returns the new row, leased to the caller for immediate delivery, or
     * null when the message was stored before (a resend): either way the sender may be acknowledged.
     */
    public InboxRow store(FederationMessage message) throws SQLException {
        String payload = Senml.toJson(Senml.fromMeasurements(message.records()));
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                InboxRow row = insert(c, message, payload);
                if (row != null) {
                    Map<String, Object> detail = new LinkedHashMap<>();
                    detail.put("message", message.messageId());
                    detail.put("from", message.senderJid());
                    detail.putAll(Transfers.describe(message.records()));
                    audit.append(c, List.of(AuditEvent.of("transfer.received", message.senderJid(), null,
                            message.consentRef(), detail)));
                }
                c.commit();
                return row;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private InboxRow insert(Connection c, FederationMessage message, String payload) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(STORE)) {
            ps.setString(1, message.senderJid());
            ps.setString(2, message.messageId());
            ps.setString(3, message.correlationId());
            ps.setInt(4, message.version());
            ps.setString(5, payload);
            ps.setInt(6, message.records().size());
            ps.setLong(7, leaseMillis);
            ps.setString(8, replica);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    LOG.debug("Message {} from {} was stored before: acknowledging again", message.messageId(),
                            message.senderJid());
                    return null;
                }
                return new InboxRow(rs.getLong(1), message.senderJid(), message.messageId(),
                        message.correlationId(), payload, message.records().size(), 0);
            }
        }
    }

    /** Claims pending rows that are due: new rows whose first delivery did not finish, and retries. */
    public List<InboxRow> claim() throws SQLException {
        List<InboxRow> claimed = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(CLAIM)) {
            ps.setLong(1, leaseMillis);
            ps.setString(2, replica);
            ps.setInt(3, batchSize);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    claimed.add(new InboxRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getInt(6), rs.getInt(7)));
                }
            }
        }
        claimed.sort(Comparator.comparingLong(InboxRow::id));
        return claimed;
    }

    /** The records of a row in the shape sink connectors take. */
    public List<Map<String, Object>> sinkRecords(InboxRow row) {
        return SinkRecords.of(row);
    }

    public void markDelivered(long id) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(DELIVERED)) {
            ps.setLong(1, id);
            ps.executeUpdate();
        }
    }

    /** Schedules another attempt with backoff, or makes the row a dead letter when out of attempts. */
    public void markFailed(long id, int attemptsBefore, Throwable error) throws SQLException {
        String reason = Reasons.of(error);
        int attempts = attemptsBefore + 1;
        try (Connection c = dataSource.getConnection()) {
            if (retry.exhausted(attempts)) {
                try (PreparedStatement ps = c.prepareStatement(DEAD)) {
                    ps.setString(1, reason);
                    ps.setLong(2, id);
                    ps.setString(3, reason);
                    ps.executeUpdate();
                }
                LOG.warn("Inbox row {} not delivered after {} attempts, now a dead letter: {}", id, attempts, reason);
                return;
            }
            try (PreparedStatement ps = c.prepareStatement(FAILED)) {
                ps.setTimestamp(1, Timestamp.from(Instant.now().plus(retry.delayAfter(attempts))));
                ps.setString(2, reason);
                ps.setLong(3, id);
                ps.executeUpdate();
            }
            LOG.info("Inbox row {} delivery attempt {} failed, will retry: {}", id, attempts, reason);
        }
    }
}
