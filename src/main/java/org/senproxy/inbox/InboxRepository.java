package org.senproxy.inbox;

import java.sql.Connection;
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
import org.senproxy.db.Sql;
import org.senproxy.db.Transactions;
import org.senproxy.delivery.Reasons;
import org.senproxy.delivery.RetryPolicy;
import org.senproxy.federation.FederationMessage;
import org.senproxy.senml.CanonicalRecords;
import org.senproxy.switches.Switches;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbox table. A message is stored once per (sender, message id), whatever the number of resends;
 * it is then delivered to the local sink, retried with backoff, and dead-lettered when out of attempts. While an
 * operator has the sink disabled (the kill-switch), messages are still stored (and so acknowledged) but none is
 * delivered: the rows wait, with no attempt counted, and are delivered once it is enabled.
 */
public class InboxRepository {

    private static final Logger LOG = LoggerFactory.getLogger(InboxRepository.class);

    private static final Sql STORE = Sql.of(InboxRepository.class, "store");
    private static final Sql CLAIM = Sql.of(InboxRepository.class, "claim");
    private static final Sql DELIVERED = Sql.of(InboxRepository.class, "delivered");
    private static final Sql FAILED = Sql.of(InboxRepository.class, "failed");
    private static final Sql DEAD = Sql.of(InboxRepository.class, "dead");

    private final DataSource dataSource;
    private final AuditTrail audit;
    private final String replica;
    private final int batchSize;
    private final long leaseMillis;
    private final RetryPolicy retry;
    private volatile Switches switches;
    private volatile String sink;

    /** @param audit where each message stored is recorded ({@code transfer.received}), in the same transaction */
    public InboxRepository(
            DataSource dataSource,
            AuditTrail audit,
            String replica,
            int batchSize,
            long leaseMillis,
            RetryPolicy retry) {
        this.dataSource = dataSource;
        this.audit = audit;
        this.replica = replica;
        this.batchSize = batchSize;
        this.leaseMillis = leaseMillis;
        this.retry = retry;
    }

    /** The kill-switch: nothing is delivered while the connector {@code sink} is disabled. */
    public void obey(Switches switches, String sink) {
        this.sink = sink;
        this.switches = switches;
    }

    /** Whether the sink may be given rows now (not disabled by an operator). */
    public boolean delivering() {
        Switches obeyed = switches;
        return obeyed == null || obeyed.connectorEnabled(sink);
    }

    /**
     * Commits received messages, in one transaction with their audit entries ({@code transfer.received}). Every message
     * of the batch may then be acknowledged: each is in the inbox, stored now or before (a resend). The rows stored
     * now are leased to the caller for immediate delivery; while the sink is disabled, there are none: the rows are due
     * at once, for whichever replica delivers first once the sink is enabled again.
     */
    public InboxBatch store(List<FederationMessage> messages) throws SQLException {
        if (messages.isEmpty()) {
            return new InboxBatch(messages, List.of());
        }
        // the payload is the records' canonical JSON, which the signature check already wrote to digest it
        List<CanonicalRecords> canonical =
                messages.stream().map(FederationMessage::canonicalRecords).toList();
        List<String> payloads = canonical.stream().map(CanonicalRecords::json).toList();
        boolean delivering = delivering();
        List<InboxRow> rows = Transactions.inTransaction(dataSource, c -> {
            List<InboxRow> stored = new ArrayList<>();
            List<AuditEvent> received = new ArrayList<>();
            for (Inserted inserted : insert(c, messages, payloads, delivering ? leaseMillis : 0)) {
                FederationMessage m = messages.get(inserted.index());
                stored.add(new InboxRow(
                        inserted.id(),
                        m.senderJid(),
                        m.messageId(),
                        m.correlationId(),
                        payloads.get(inserted.index()),
                        m.records().size(),
                        0,
                        m.records()));
                Map<String, Object> detail = new LinkedHashMap<>();
                detail.put("message", m.messageId());
                detail.put("from", m.senderJid());
                detail.putAll(Transfers.describe(
                        m.records(), canonical.get(inserted.index()).digest()));
                received.add(AuditEvent.of("transfer.received", m.senderJid(), null, m.consentRef(), detail));
            }
            audit.append(c, received);
            return stored;
        });
        if (rows.size() < messages.size()) {
            LOG.debug(
                    "{} of {} message(s) were stored before: acknowledging them again",
                    messages.size() - rows.size(),
                    messages.size());
        }
        return new InboxBatch(messages, delivering ? rows : List.of());
    }

    /** A message of the batch (its index) stored now, as inbox row {@code id}. */
    private record Inserted(int index, long id) {}

    /** Inserts the messages not stored before, in one statement; returns them in the order of their row ids. */
    private List<Inserted> insert(Connection c, List<FederationMessage> messages, List<String> payloads, long lease)
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
        List<Inserted> inserted = STORE.query(
                c,
                STORE.params()
                        .set("lease_ms", lease)
                        .set("replica", replica)
                        .array("sender_jids", "text", senders)
                        .array("message_ids", "text", ids)
                        .array("correlation_ids", "text", correlations)
                        .array("format_versions", "int4", versions)
                        .array("payloads", "text", payloads.toArray(new String[0]))
                        .array("record_counts", "int4", counts),
                rs -> new Inserted(index.get(rs.getString(2) + ' ' + rs.getString(3)), rs.getLong(1)));
        inserted.sort(Comparator.comparingLong(Inserted::id));
        return inserted;
    }

    /**
     * Claims pending rows that are due: new rows whose first delivery did not finish, and retries. None while the sink
     * is disabled.
     */
    public List<InboxRow> claim() throws SQLException {
        if (!delivering()) {
            return List.of();
        }
        List<InboxRow> claimed;
        try (Connection c = dataSource.getConnection()) {
            claimed = CLAIM.query(
                    c,
                    CLAIM.params()
                            .set("lease_ms", leaseMillis)
                            .set("replica", replica)
                            .set("batch_size", batchSize),
                    rs -> new InboxRow(
                            rs.getLong(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getString(5),
                            rs.getInt(6),
                            rs.getInt(7)));
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
        try (Connection c = dataSource.getConnection()) {
            DELIVERED.update(c, DELIVERED.params().array("ids", "int8", ids));
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
                DEAD.update(c, DEAD.params().text("error", reason).set("id", id));
                LOG.warn("Inbox row {} not delivered after {} attempts, now a dead letter: {}", id, attempts, reason);
                return;
            }
            FAILED.update(
                    c,
                    FAILED.params()
                            .set("next_attempt_at", Timestamp.from(Instant.now().plus(retry.delayAfter(attempts))))
                            .text("error", reason)
                            .set("id", id));
            LOG.info("Inbox row {} delivery attempt {} failed, will retry: {}", id, attempts, reason);
        }
    }
}
