package org.senproxy.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import org.senproxy.delivery.DeadLetters;
import org.senproxy.delivery.RetryPolicy;
import org.senproxy.senml.Measurement;
import org.senproxy.senml.Senml;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox table, the sending side's only durable truth. Every method is one round trip or one
 * batch, never one statement per record. A row is done when the peer acknowledged it, not when the
 * XMPP stream accepted it.
 */
public class OutboxRepository {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxRepository.class);

    private static final String SUBSCRIPTIONS = "SELECT c.id, a.jid, c.series_prefix, c.rename_from, c.rename_to "
            + "FROM consumer c JOIN app a ON a.id = c.app_id WHERE c.source = ? AND c.active ORDER BY c.id";

    private static final String INSERT = "INSERT INTO outbox "
            + "(message_id, correlation_id, consumer_id, recipient_jid, payload, record_count) VALUES (?, ?, ?, ?, ?, ?)";

    /** Rows out of attempts become dead letters, in one statement. */
    private static final String EXPIRE = "WITH expired AS ("
            + " UPDATE outbox SET status = 'dead' WHERE id IN ("
            + "  SELECT id FROM outbox WHERE status IN ('pending', 'sent') AND next_attempt_at <= now() AND attempts >= ?"
            + "  FOR UPDATE SKIP LOCKED)"
            + " RETURNING id, message_id, recipient_jid, status, attempts, last_error, payload, sent_at,"
            + "  correlation_id)"
            + " INSERT INTO dead_letter (origin, row_id, message_id, route_id, peer_jid, reason, attempts, payload,"
            + " correlation_id)"
            + " SELECT 'outbox', id, message_id::text, 'outbox-dispatch', recipient_jid,"
            + "  CASE WHEN sent_at IS NULL THEN 'not sent after ' || attempts || ' attempts; last error: '"
            + "       || coalesce(last_error, 'none')"
            + "  ELSE 'no acknowledgement from ' || recipient_jid || ' after ' || attempts || ' attempts' END,"
            + "  attempts, payload, correlation_id FROM expired";

    /** Claims due rows: pushing next_attempt_at forward is the lease. */
    private static final String CLAIM = "UPDATE outbox o SET next_attempt_at = now() + ? * interval '1 millisecond',"
            + " claimed_by = ? FROM ("
            + "  SELECT id FROM outbox WHERE status IN ('pending', 'sent') AND next_attempt_at <= now() AND attempts < ?"
            + "  ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED) due"
            + " WHERE o.id = due.id"
            + " RETURNING o.id, o.message_id, o.correlation_id, o.recipient_jid, o.payload, o.record_count, o.attempts";

    private static final String WRITTEN = "UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = now(),"
            + " next_attempt_at = ?, last_error = NULL WHERE id = ? AND status IN ('pending', 'sent')";

    private static final String FAILED = "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?,"
            + " last_error = ? WHERE id = ? AND status IN ('pending', 'sent')";

    private static final String ACKNOWLEDGE = "UPDATE outbox SET status = 'acked', acked_at = now()"
            + " WHERE message_id = ? AND recipient_jid = ? AND status IN ('pending', 'sent') RETURNING correlation_id";

    private static final String REJECT = "WITH rejected AS ("
            + " UPDATE outbox SET status = 'dead', last_error = ?"
            + " WHERE message_id = ? AND recipient_jid = ? AND status IN ('pending', 'sent')"
            + " RETURNING id, message_id, recipient_jid, attempts, payload, correlation_id)"
            + " INSERT INTO dead_letter (origin, row_id, message_id, route_id, peer_jid, reason, attempts, payload,"
            + " correlation_id)"
            + " SELECT 'outbox', id, message_id::text, 'outbox-ack', recipient_jid, ?, attempts, payload,"
            + " correlation_id FROM rejected";

    private final DataSource dataSource;
    private final OutboxPacker packer;
    private final String replica;
    private final int batchSize;
    private final long leaseMillis;
    private final RetryPolicy sendRetry;
    private final RetryPolicy ackWait;

    /**
     * @param replica   a name for this process, kept in claimed_by for support
     * @param sendRetry backoff after a failed write to the XMPP stream
     * @param ackWait   how long to wait for the peer's acknowledgement before sending again
     */
    public OutboxRepository(DataSource dataSource, OutboxPacker packer, String replica, int batchSize,
            long leaseMillis, RetryPolicy sendRetry, RetryPolicy ackWait) {
        this.dataSource = dataSource;
        this.packer = packer;
        this.replica = replica;
        this.batchSize = batchSize;
        this.leaseMillis = leaseMillis;
        this.sendRetry = sendRetry;
        this.ackWait = ackWait;
    }

    /**
     * Puts resolved records into the outbox: one row per message per subscribed consumer, all in one
     * transaction, so a poll enters the outbox whole or not at all. A record whose natural key (source, name,
     * time) an earlier append took is dropped, as is a record after the first of its key in the same poll (see
     * {@link SourceKeys}). A cumulative index that went down is flagged with a reset record (see {@link IndexResets}).
     *
     * @return the rows written, the records they hold and the duplicates dropped
     */
    public Appended append(List<Measurement> records, String source, String correlationId) throws SQLException {
        return append(records, source, correlationId, null);
    }

    /**
     * Same as {@link #append(List, String, String)}, and in the same transaction moves the source's watermark
     * to {@code watermark} (when not null), even if no record was new: an incremental connector reads from there
     * next time.
     */
    public Appended append(List<Measurement> records, String source, String correlationId, String watermark)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                // The watermark moves even when every record was a duplicate: the window was read.
                if (watermark != null) {
                    Watermarks.write(c, source, watermark);
                }
                List<Measurement> fresh = SourceKeys.takeNew(c, source, records);
                // <name>/reset records are derived from readings, not read from the source, so they take no key:
                // IndexResets sees only the new readings, and a re-read reading, dropped above, cannot flag its reset
                // a second time. A reset repeats only if its reading does, which the keys prevent.
                List<Measurement> flagged = IndexResets.flag(c, source, fresh);
                List<OutboxEntry> entries = packer.pack(flagged, subscriptions(c, source));
                try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                    for (OutboxEntry e : entries) {
                        ps.setObject(1, e.messageId());
                        ps.setString(2, correlationId);
                        ps.setLong(3, e.subscription().consumerId());
                        ps.setString(4, e.subscription().recipientJid());
                        ps.setString(5, Senml.toJson(Senml.fromMeasurements(e.records())));
                        ps.setInt(6, e.records().size());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                c.commit();
                int duplicates = records.size() - fresh.size();
                if (duplicates > 0) {
                    LOG.debug("{} of {} record(s) of {} had a name and time seen before: dropped as duplicates",
                            duplicates, records.size(), source);
                }
                if (entries.isEmpty() && !fresh.isEmpty()) {
                    LOG.debug("No consumer subscribes to {} records of {}", fresh.size(), source);
                }
                return new Appended(entries.size(), fresh.size(), duplicates);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static List<Subscription> subscriptions(Connection c, String source) throws SQLException {
        List<Subscription> subscriptions = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(SUBSCRIPTIONS)) {
            ps.setString(1, source);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    subscriptions.add(new Subscription(rs.getLong(1), rs.getString(2), rs.getString(3),
                            rs.getString(4), rs.getString(5)));
                }
            }
        }
        return subscriptions;
    }

    /**
     * Claims a batch of due rows (new, or sent and not acknowledged in time) for this replica. Rows out of
     * attempts become dead letters first. Rows locked by another replica are skipped, not waited for.
     */
    public List<OutboxMessage> claim() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(EXPIRE)) {
                ps.setInt(1, sendRetry.maxAttempts());
                int expired = ps.executeUpdate();
                if (expired > 0) {
                    LOG.warn("{} outbox message(s) out of attempts moved to dead letters", expired);
                }
            }
            List<OutboxMessage> claimed = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(CLAIM)) {
                ps.setLong(1, leaseMillis);
                ps.setString(2, replica);
                ps.setInt(3, sendRetry.maxAttempts());
                ps.setInt(4, batchSize);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        claimed.add(new OutboxMessage(rs.getLong(1), rs.getString(2), rs.getString(3),
                                rs.getString(4), rs.getString(5), rs.getInt(6), rs.getInt(7)));
                    }
                }
            }
            claimed.sort(Comparator.comparingLong(OutboxMessage::id));
            return claimed;
        }
    }

    /** Records the outcome of a dispatch batch in one batch per kind of outcome. */
    public void recordSendResults(List<SendResult> results) throws SQLException {
        if (results.isEmpty()) {
            return;
        }
        Instant now = Instant.now();
        try (Connection c = dataSource.getConnection();
             PreparedStatement written = c.prepareStatement(WRITTEN);
             PreparedStatement failed = c.prepareStatement(FAILED)) {
            int writtenCount = 0;
            int failedCount = 0;
            for (SendResult r : results) {
                int attempts = r.attemptsBefore() + 1;
                if (r.written()) {
                    written.setTimestamp(1, Timestamp.from(now.plus(ackWait.delayAfter(attempts))));
                    written.setLong(2, r.outboxId());
                    written.addBatch();
                    writtenCount++;
                } else {
                    failed.setTimestamp(1, Timestamp.from(now.plus(sendRetry.delayAfter(attempts))));
                    failed.setString(2, r.error());
                    failed.setLong(3, r.outboxId());
                    failed.addBatch();
                    failedCount++;
                }
            }
            if (writtenCount > 0) {
                written.executeBatch();
            }
            if (failedCount > 0) {
                failed.executeBatch();
                LOG.warn("{} of {} outbox message(s) could not be written to XMPP; will retry", failedCount,
                        results.size());
            }
        }
    }

    /**
     * The peer stored the message: the row is done. Only the recipient itself can acknowledge.
     *
     * @return the correlation id of the row acknowledged, or {@code null} when none was waiting for this ack (an
     *         ack sent twice, or for a message this proxy does not know)
     */
    public String acknowledge(Ack ack) throws SQLException {
        String peerJid = ack.peerJid();
        UUID id = parse(ack.messageId());
        if (id == null) {
            return null;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(ACKNOWLEDGE)) {
            ps.setObject(1, id);
            ps.setString(2, peerJid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** The peer refused the message for good (malformed, unauthorized): the row becomes a dead letter. */
    public boolean reject(Ack ack) throws SQLException {
        String peerJid = ack.peerJid();
        String messageId = ack.messageId();
        String reason = ack.reason() == null ? "no reason given" : ack.reason();
        UUID id = parse(messageId);
        if (id == null) {
            return false;
        }
        String fullReason = "rejected by " + peerJid + ": " + reason;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(REJECT)) {
            ps.setString(1, fullReason);
            ps.setObject(2, id);
            ps.setString(3, peerJid);
            ps.setString(4, fullReason);
            boolean rejected = ps.executeUpdate() == 1;
            if (rejected) {
                LOG.warn("Outbox message {} {}", messageId, fullReason);
            }
            return rejected;
        }
    }

    private static UUID parse(String messageId) {
        try {
            return UUID.fromString(messageId);
        } catch (IllegalArgumentException | NullPointerException e) {
            return null;
        }
    }
}
