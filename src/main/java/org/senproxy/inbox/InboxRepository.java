package org.senproxy.inbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
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
import org.senproxy.senml.CanonicalRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbox table. A message is stored once per (sender, message id), whatever the number of resends;
 * it is then delivered to the local sink, retried with backoff, and dead-lettered when out of attempts.
 */
public class InboxRepository {

    private static final Logger LOG = LoggerFactory.getLogger(InboxRepository.class);

    /**
     * The new rows are leased to the caller, which delivers them at once; a crash lets the lease run out. One statement
     * for a batch of messages; a message stored before (a resend) gives no row.
     */
    private static final String STORE = "INSERT INTO inbox (sender_jid, message_id, correlation_id, format_version,"
            + " payload, record_count, next_attempt_at, claimed_by)"
            + " SELECT m.sender_jid, m.message_id, m.correlation_id, m.format_version, m.payload, m.record_count,"
            + "  now() + ? * interval '1 millisecond', ?"
            + " FROM unnest(?::text[], ?::text[], ?::text[], ?::int[], ?::text[], ?::int[])"
            + "  AS m(sender_jid, message_id, correlation_id, format_version, payload, record_count)"
            + " ON CONFLICT (sender_jid, message_id) DO NOTHING RETURNING id, sender_jid, message_id";

    private static final String CLAIM = "UPDATE inbox i SET next_attempt_at = now() + ? * interval '1 millisecond',"
            + " claimed_by = ? FROM ("
            + "  SELECT id FROM inbox WHERE status = 'pending' AND next_attempt_at <= now()"
            + "  ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED) due"
            + " WHERE i.id = due.id"
            + " RETURNING i.id, i.sender_jid, i.message_id, i.correlation_id, i.payload, i.record_count, i.attempts";

    private static final String DELIVERED = "UPDATE inbox SET status = 'delivered', delivered_at = now(),"
            + " attempts = attempts + 1, last_error = NULL WHERE id = ANY(?) AND status = 'pending'";

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
     * Commits received messages, in one transaction with their audit entries ({@code transfer.received}). Every message
     * of the batch may then be acknowledged: each is in the inbox, stored now or before (a resend). The rows stored
     * now are leased to the caller for immediate delivery.
     */
    public InboxBatch store(List<FederationMessage> messages) throws SQLException {
        if (messages.isEmpty()) {
            return new InboxBatch(messages, List.of());
        }
        // the payload is the records' canonical JSON, which the signature check already wrote to digest it
        List<CanonicalRecords> canonical = messages.stream().map(FederationMessage::canonicalRecords).toList();
        List<String> payloads = canonical.stream().map(CanonicalRecords::json).toList();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<InboxRow> rows = new ArrayList<>();
                List<AuditEvent> received = new ArrayList<>();
                for (Inserted inserted : insert(c, messages, payloads)) {
                    FederationMessage m = messages.get(inserted.index());
                    rows.add(new InboxRow(inserted.id(), m.senderJid(), m.messageId(), m.correlationId(),
                            payloads.get(inserted.index()), m.records().size(), 0, m.records()));
                    Map<String, Object> detail = new LinkedHashMap<>();
                    detail.put("message", m.messageId());
                    detail.put("from", m.senderJid());
                    detail.putAll(Transfers.describe(m.records(), canonical.get(inserted.index()).digest()));
                    received.add(AuditEvent.of("transfer.received", m.senderJid(), null, m.consentRef(), detail));
                }
                audit.append(c, received);
                c.commit();
                if (rows.size() < messages.size()) {
                    LOG.debug("{} of {} message(s) were stored before: acknowledging them again",
                            messages.size() - rows.size(), messages.size());
                }
                return new InboxBatch(messages, rows);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** A message of the batch (its index) stored now, as inbox row {@code id}. */
    private record Inserted(int index, long id) {
    }

    /** Inserts the messages not stored before, in one statement; returns them in the order of their row ids. */
    private List<Inserted> insert(Connection c, List<FederationMessage> messages, List<String> payloads)
            throws SQLException {
        int n = messages.size();
        String[] senders = new String[n];
        String[] ids = new String[n];
        String[] correlations = new String[n];
        Integer[] versions = new Integer[n];
        Integer[] counts = new Integer[n];
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < n; i++) {
            FederationMessage m = messages.get(i);
            senders[i] = m.senderJid();
            ids[i] = m.messageId();
            correlations[i] = m.correlationId();
            versions[i] = m.version();
            counts[i] = m.records().size();
            index.putIfAbsent(m.senderJid() + ' ' + m.messageId(), i);
        }
        List<Inserted> inserted = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(STORE)) {
            ps.setLong(1, leaseMillis);
            ps.setString(2, replica);
            ps.setArray(3, c.createArrayOf("text", senders));
            ps.setArray(4, c.createArrayOf("text", ids));
            ps.setArray(5, c.createArrayOf("text", correlations));
            ps.setArray(6, c.createArrayOf("int4", versions));
            ps.setArray(7, c.createArrayOf("text", payloads.toArray(new String[0])));
            ps.setArray(8, c.createArrayOf("int4", counts));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    inserted.add(new Inserted(index.get(rs.getString(2) + ' ' + rs.getString(3)), rs.getLong(1)));
                }
            }
        }
        inserted.sort(Comparator.comparingLong(Inserted::id));
        return inserted;
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

    /** The records of these rows in the shape sink connectors take, in one list. */
    public List<Map<String, Object>> sinkRecords(List<InboxRow> rows) {
        List<Map<String, Object>> records = new ArrayList<>();
        for (InboxRow row : rows) {
            records.addAll(SinkRecords.of(row));
        }
        return records;
    }

    /**
     * Each row as a sink that forwards whole messages needs it: {@code senml} (the resolved pack, JSON text) and
     * {@code idempotencyKey} ("sender JID/message id", the same when the message is delivered again).
     */
    public List<Map<String, String>> messages(List<InboxRow> rows) {
        List<Map<String, String>> messages = new ArrayList<>(rows.size());
        for (InboxRow row : rows) {
            messages.add(Map.of("senml", row.payload(), "idempotencyKey", row.senderJid() + "/" + row.messageId()));
        }
        return messages;
    }

    /** How many records these rows hold. */
    public int recordCount(List<InboxRow> rows) {
        int records = 0;
        for (InboxRow row : rows) {
            records += row.recordCount();
        }
        return records;
    }

    /** Marks rows delivered, in one statement. */
    public void markDelivered(List<InboxRow> rows) throws SQLException {
        Long[] ids = new Long[rows.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rows.get(i).id();
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(DELIVERED)) {
            ps.setArray(1, c.createArrayOf("int8", ids));
            ps.executeUpdate();
        }
    }

    /**
     * A delivery of these rows failed: each gets another attempt later, alone (inbox-delivery delivers retries one row
     * at a time, so that one row the sink cannot take does not hold the others back), or becomes a dead letter.
     */
    public void markFailed(List<InboxRow> rows, Throwable error) throws SQLException {
        for (InboxRow row : rows) {
            markFailed(row.id(), row.attempts(), error);
        }
    }

    /** Schedules another attempt with backoff, or makes the row a dead letter when out of attempts. */
    private void markFailed(long id, int attemptsBefore, Throwable error) throws SQLException {
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
