package org.senproxy.outbox;

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
import java.util.UUID;

import javax.sql.DataSource;

import org.senproxy.audit.AuditEvent;
import org.senproxy.audit.AuditTrail;
import org.senproxy.audit.Transfers;
import org.senproxy.consent.DataPeriod;
import org.senproxy.consent.Scope;
import org.senproxy.consent.WithheldRecords;
import org.senproxy.db.Times;
import org.senproxy.delivery.RetryPolicy;
import org.senproxy.federation.Ack;
import org.senproxy.senml.Measurement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox table, the sending side's only durable truth. Every method is one round trip or one
 * batch, never one statement per record. A row is done when the peer acknowledged it, not when the
 * XMPP stream accepted it.
 */
public class OutboxRepository {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxRepository.class);

    /**
     * The active consumers of a source, with the consent each sends under when it is in force now, its data period,
     * and whether the consumer is caught up ({@link CatchUp}).
     */
    private static final String SUBSCRIPTIONS = "SELECT c.id, a.jid, c.series_prefix, c.rename_from, c.rename_to,"
            + " c.consent_id, k.ref::text, k.scope, c.acknowledges, coalesce(k.data_from, k.valid_from), k.data_until,"
            + " c.caught_up FROM consumer c JOIN app a ON a.id = c.app_id"
            + " LEFT JOIN consent k ON k.id = c.consent_id AND k.app_id = c.app_id AND k.revoked_at IS NULL"
            + "  AND k.valid_from <= now() AND k.valid_until > now()"
            + " WHERE c.source = ? AND c.active ORDER BY c.id";

    /**
     * What an update settling rows returns for their audit entries: the {@code transfer} column written with each row,
     * and, only for a row from before that column, its payload to describe (a payload is not read back otherwise).
     */
    private static final String DESCRIBED = "transfer, CASE WHEN transfer IS NULL THEN payload END AS untold";

    /** The same two columns, as the statement's final SELECT gives them. */
    private static final String DESCRIPTION = "r.transfer, r.untold";

    /** Who a row's data belongs to, for the audit trail: joined to the rows an update returns as {@code r}. */
    private static final String OWNER = " LEFT JOIN consent k ON k.ref = r.consent_ref"
            + " LEFT JOIN federated_user u ON u.id = k.user_id";

    /** Due rows whose consent was revoked or ran out (or that have none, when one is required) are withheld. */
    private static final String WITHHOLD = "WITH r AS ("
            + " UPDATE outbox o SET status = 'revoked', last_error = w.reason FROM ("
            + "  SELECT o2.id, CASE"
            + "   WHEN o2.consent_ref IS NULL THEN 'written under no consent, and senproxy.consent.required is on'"
            + "   WHEN k.id IS NULL THEN 'consent ' || o2.consent_ref || ' is not known here'"
            + "   WHEN k.revoked_at IS NOT NULL THEN 'consent ' || k.ref || ' revoked: '"
            + "    || coalesce(k.revoke_reason, 'no reason given')"
            + "   ELSE 'consent ' || k.ref || ' expired at ' || k.valid_until END AS reason"
            + "  FROM outbox o2 LEFT JOIN consent k ON k.ref = o2.consent_ref"
            + "  WHERE o2.status IN ('pending', 'sent') AND o2.next_attempt_at <= now()"
            + "   AND ((o2.consent_ref IS NULL AND ?) OR (o2.consent_ref IS NOT NULL"
            + "    AND (k.id IS NULL OR k.revoked_at IS NOT NULL OR k.valid_until <= now())))"
            + "  FOR UPDATE OF o2 SKIP LOCKED) w"
            + " WHERE o.id = w.id"
            + " RETURNING o.message_id, o.recipient_jid, o.consent_ref, o.last_error, " + DESCRIBED + ")"
            + " SELECT r.message_id::text, r.recipient_jid, r.consent_ref::text, r.last_error, u.external_id, "
            + DESCRIPTION + " FROM r" + OWNER;

    private static final String EXPIRED = "CASE WHEN r.sent_at IS NULL THEN 'not sent after ' || r.attempts"
            + " || ' attempts; last error: ' || coalesce(r.last_error, 'none')"
            + " ELSE 'no acknowledgement from ' || r.recipient_jid || ' after ' || r.attempts || ' attempts' END";

    /** Rows out of attempts become dead letters, in one statement. */
    private static final String EXPIRE = "WITH r AS ("
            + " UPDATE outbox SET status = 'dead' WHERE id IN ("
            + "  SELECT id FROM outbox WHERE status IN ('pending', 'sent') AND next_attempt_at <= now() AND attempts >= ?"
            + "  FOR UPDATE SKIP LOCKED)"
            + " RETURNING id, message_id, recipient_jid, status, attempts, last_error, payload, sent_at,"
            + "  correlation_id, consent_ref, " + DESCRIBED + "),"
            + " dead AS (INSERT INTO dead_letter (origin, row_id, message_id, route_id, peer_jid, reason, attempts,"
            + "  payload, correlation_id)"
            + "  SELECT 'outbox', id, message_id::text, 'outbox-dispatch', recipient_jid, " + EXPIRED
            + ", attempts, payload, correlation_id FROM r)"
            + " SELECT r.message_id::text, r.recipient_jid, r.consent_ref::text, " + EXPIRED
            + ", u.external_id, " + DESCRIPTION + " FROM r" + OWNER;

    /**
     * Claims due rows (pushing next_attempt_at forward is the lease), at most {@code window} per recipient in flight: a
     * row is in flight from its claim until its ack (or until it is due again: ack timeout, backoff). A peer that falls
     * behind leaves the backlog here, in the outbox, not in its own memory or the XMPP server's. The first
     * {@code 4 x batch} due rows of recipients with room left are ranked per recipient, in a subquery since a query
     * with a window function cannot lock rows; a recipient whose window is full is left out before that, so its
     * backlog cannot hide the other recipients' rows. Replicas claiming at the same moment may each fill the window: it
     * is a bound per claim.
     */
    private static final String CLAIM = "WITH flying AS (SELECT recipient_jid, count(*) AS n FROM outbox"
            + "  WHERE status IN ('pending', 'sent') AND next_attempt_at > now() GROUP BY recipient_jid)"
            + " UPDATE outbox o SET next_attempt_at = now() + ? * interval '1 millisecond', claimed_by = ? FROM ("
            + "  SELECT id FROM outbox WHERE id IN ("
            + "   SELECT d.id FROM ("
            + "    SELECT id, recipient_jid, row_number() OVER (PARTITION BY recipient_jid ORDER BY next_attempt_at, id) rn"
            + "    FROM (SELECT id, recipient_jid, next_attempt_at FROM outbox WHERE status IN ('pending', 'sent')"
            + "     AND next_attempt_at <= now() AND attempts < ?"
            + "     AND recipient_jid NOT IN (SELECT recipient_jid FROM flying WHERE n >= ?)"
            + "     ORDER BY next_attempt_at, id LIMIT ?) first_due) d"
            + "   LEFT JOIN flying ON flying.recipient_jid = d.recipient_jid"
            + "   WHERE d.rn <= ? - coalesce(flying.n, 0))"
            + "  AND status IN ('pending', 'sent') AND next_attempt_at <= now()"
            + "  ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED) due"
            + " WHERE o.id = due.id"
            + " RETURNING o.id, o.message_id, o.correlation_id, o.recipient_jid, o.payload, o.record_count, o.attempts,"
            + " o.consent_ref::text, o.transfer::jsonb ->> 'senml_sha256'";

    /** A written row waits for its ack, unless its recipient never sends one (a Quoalise subscriber): then it is done. */
    private static final String WRITTEN = "UPDATE outbox SET attempts = attempts + 1, sent_at = now(),"
            + " status = CASE WHEN ack_required THEN 'sent' ELSE 'acked' END,"
            + " acked_at = CASE WHEN ack_required THEN NULL ELSE now() END,"
            + " next_attempt_at = ?, last_error = NULL WHERE id = ? AND status IN ('pending', 'sent')";

    private static final String FAILED = "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?,"
            + " last_error = ? WHERE id = ? AND status IN ('pending', 'sent')";

    /**
     * Settles acknowledged rows, a batch of (message id, recipient) pairs in one statement. The rows are locked in id
     * order first, the order in which outbox-dispatch marks a batch written ({@link #recordSendResults}): an ack that
     * overtakes that mark (the peer answers before it commits) waits for it instead of deadlocking with it, which
     * happened under load (a benchmark run: six acks lost to a deadlock, their messages sent and acknowledged again).
     */
    private static final String ACKNOWLEDGE = "WITH locked AS (SELECT o.id FROM outbox o"
            + "  JOIN unnest(?::uuid[], ?::text[]) AS a(message_id, recipient_jid)"
            + "  ON o.message_id = a.message_id AND o.recipient_jid = a.recipient_jid"
            + "  WHERE o.status IN ('pending', 'sent') ORDER BY o.id FOR UPDATE OF o),"
            + " r AS (UPDATE outbox o SET status = 'acked', acked_at = now() FROM locked"
            + " WHERE o.id = locked.id AND o.status IN ('pending', 'sent')"
            + " RETURNING o.message_id, o.recipient_jid, o.correlation_id, o.consent_ref, o.record_count, " + DESCRIBED
            + ") SELECT r.message_id::text, r.recipient_jid, r.correlation_id, r.consent_ref::text, u.external_id, "
            + DESCRIPTION + ", r.record_count FROM r" + OWNER;

    private static final String REJECT = "WITH r AS ("
            + " UPDATE outbox SET status = 'dead', last_error = ?"
            + " WHERE message_id = ? AND recipient_jid = ? AND status IN ('pending', 'sent')"
            + " RETURNING id, message_id, recipient_jid, attempts, payload, correlation_id, consent_ref, " + DESCRIBED + "),"
            + " dead AS (INSERT INTO dead_letter (origin, row_id, message_id, route_id, peer_jid, reason, attempts,"
            + "  payload, correlation_id)"
            + "  SELECT 'outbox', id, message_id::text, 'outbox-ack', recipient_jid, ?, attempts, payload,"
            + "  correlation_id FROM r)"
            + " SELECT r.consent_ref::text, u.external_id, " + DESCRIPTION + " FROM r" + OWNER;

    private final DataSource dataSource;
    private final AuditTrail audit;
    private final String ownJid;
    private final boolean consentRequired;
    private final OutboxPacker packer;
    private final String replica;
    private final int batchSize;
    private final int window;
    private final long leaseMillis;
    private final RetryPolicy sendRetry;
    private final RetryPolicy ackWait;
    private final CatchUp catchUp;
    private final QueuedTrim queuedTrim;
    private volatile WithheldRecords withheld = WithheldRecords.NONE;

    /**
     * @param audit           where each message's outcome is recorded (acknowledged, rejected, failed, withheld)
     * @param ownJid          this proxy's bare JID, the actor of those entries
     * @param consentRequired whether a consumer needs a consent in force to send ({@code senproxy.consent.required})
     * @param replica         a name for this process, kept in claimed_by for support
     * @param window          at most this many messages in flight per recipient, claimed and not yet acknowledged
     *                        ({@code senproxy.outbox.window}); 0 for no bound
     * @param sendRetry       backoff after a failed write to the XMPP stream
     * @param ackWait         how long to wait for the peer's acknowledgement before sending again
     */
    public OutboxRepository(DataSource dataSource, AuditTrail audit, String ownJid, boolean consentRequired,
            OutboxPacker packer, String replica, int batchSize, int window, long leaseMillis, RetryPolicy sendRetry,
            RetryPolicy ackWait) {
        this.dataSource = dataSource;
        this.audit = audit;
        this.ownJid = ownJid;
        this.consentRequired = consentRequired;
        this.packer = packer;
        this.replica = replica;
        this.batchSize = batchSize;
        this.window = window;
        this.leaseMillis = leaseMillis;
        this.sendRetry = sendRetry;
        this.ackWait = ackWait;
        this.catchUp = new CatchUp(dataSource, audit, ownJid, consentRequired, packer);
        this.queuedTrim = new QueuedTrim(ownJid);
    }

    /** Where the records that queued rows lose to a narrowed data period are counted (path {@code queued}). */
    public void countWithheld(WithheldRecords counter) {
        this.withheld = counter;
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
                List<Subscription> subscriptions = subscriptions(c, source);
                OutboxPacker.Packed packed = packer.pack(flagged, subscriptions);
                List<OutboxEntry> entries = packed.entries();
                // the payload is the records' canonical JSON; its digest goes into the audit description, and
                // outbox-dispatch signs that digest
                OutboxRows.insert(c, entries, correlationId);
                c.commit();
                int duplicates = records.size() - fresh.size();
                if (duplicates > 0) {
                    LOG.debug("{} of {} record(s) of {} had a name and time seen before: dropped as duplicates",
                            duplicates, records.size(), source);
                }
                int held = subscriptions.isEmpty() ? fresh.size() : 0;
                if (held > 0) {
                    LOG.debug("No consumer may take {} now: its {} new record(s) are held in source_record", source,
                            held);
                }
                return new Appended(entries.size(), fresh.size(), duplicates, packed.outsideDataPeriod(), held);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * The consumers that may take this poll's records: those whose consent is in force now (or, when consents are not
     * required, those without one), and that are caught up. A consumer whose consent was revoked, ran out or is not
     * yet valid takes nothing; one not caught up yet takes this poll's records with what it missed ({@link CatchUp}).
     */
    private List<Subscription> subscriptions(Connection c, String source) throws SQLException {
        List<Subscription> subscriptions = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(SUBSCRIPTIONS)) {
            ps.setString(1, source);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rs.getLong(6);
                    boolean hasConsent = !rs.wasNull();
                    String consentRef = rs.getString(7);
                    if (hasConsent ? consentRef == null : consentRequired) {
                        LOG.debug("Consumer {} of {} takes nothing: {}", rs.getLong(1), source,
                                hasConsent ? "its consent is not in force" : "it has no consent");
                        continue;
                    }
                    if (!rs.getBoolean(12)) {
                        LOG.debug("Consumer {} of {} is not caught up yet: outbox-dispatch catches it up first",
                                rs.getLong(1), source);
                        continue;
                    }
                    subscriptions.add(new Subscription(rs.getLong(1), rs.getString(2), rs.getString(3),
                            rs.getString(4), rs.getString(5), consentRef,
                            consentRef == null ? null : Scope.parse(rs.getString(8)),
                            consentRef == null ? null : new DataPeriod(Times.instant(rs, 10),
                                    Times.instant(rs, 11)), rs.getBoolean(9)));
                }
            }
        }
        return subscriptions;
    }

    /**
     * Claims a batch of due rows (new, or sent and not acknowledged in time) for this replica. Before, in a
     * transaction of its own, the next consumer waiting to be caught up gets what its source read before it could
     * take it ({@link CatchUp}). Then, in one transaction: due rows whose consent was revoked or ran out are withheld,
     * rows out of attempts become dead letters, rows holding records outside their consent's data period are trimmed
     * to it ({@link QueuedTrim}), each audited; then the claim. Rows locked by another replica are skipped, not waited
     * for.
     */
    public List<OutboxMessage> claim() throws SQLException {
        catchUp.next();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<AuditEvent> outcomes = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement(WITHHOLD)) {
                    ps.setBoolean(1, consentRequired);
                    int withheld = settle(ps, "transfer.withheld", outcomes);
                    if (withheld > 0) {
                        LOG.warn("{} outbox message(s) withheld: their consent is no longer in force", withheld);
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(EXPIRE)) {
                    ps.setInt(1, sendRetry.maxAttempts());
                    int expired = settle(ps, "transfer.failed", outcomes);
                    if (expired > 0) {
                        LOG.warn("{} outbox message(s) out of attempts moved to dead letters", expired);
                    }
                }
                long outside = queuedTrim.trim(c, outcomes);
                audit.append(c, outcomes);
                List<OutboxMessage> claimed = claimDue(c);
                c.commit();
                if (outside > 0) {
                    LOG.info("{} queued record(s) withheld: measured outside their consent's data period", outside);
                    withheld.count("queued", outside);
                }
                return claimed;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Runs WITHHOLD or EXPIRE, whose rows are (message id, recipient, consent, reason, owner, description). */
    private int settle(PreparedStatement ps, String kind, List<AuditEvent> outcomes) throws SQLException {
        int rows = 0;
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                outcomes.add(transfer(kind, rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(5),
                        description(rs, 6), rs.getString(4)));
                rows++;
            }
        }
        return rows;
    }

    /** The audit entry of one message's outcome. */
    private AuditEvent transfer(String kind, String messageId, String recipient, String consentRef, String owner,
            Map<String, Object> description, String reason) {
        return transfer(kind, ownJid, messageId, recipient, consentRef, owner, description, reason);
    }

    /** The audit entry of one message's outcome, by {@code actor}: its id, recipient, description and reason. */
    static AuditEvent transfer(String kind, String actor, String messageId, String recipient, String consentRef,
            String owner, Map<String, Object> description, String reason) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("message", messageId);
        detail.put("to", recipient);
        detail.putAll(description);
        if (reason != null) {
            detail.put("reason", reason);
        }
        return AuditEvent.of(kind, actor, owner, consentRef, detail);
    }

    /** A settled row's description, read from the two columns of {@link #DESCRIPTION} at {@code column}. */
    private static Map<String, Object> description(ResultSet rs, int column) throws SQLException {
        String written = rs.getString(column);
        return written != null ? AuditTrail.detailOf(written) : Transfers.describe(rs.getString(column + 1));
    }

    private List<OutboxMessage> claimDue(Connection c) throws SQLException {
        List<OutboxMessage> claimed = new ArrayList<>();
        int bound = window > 0 ? window : Integer.MAX_VALUE;
        try (PreparedStatement ps = c.prepareStatement(CLAIM)) {
            ps.setLong(1, leaseMillis);
            ps.setString(2, replica);
            ps.setInt(3, sendRetry.maxAttempts());
            ps.setInt(4, bound);
            ps.setInt(5, 4 * batchSize);
            ps.setInt(6, bound);
            ps.setInt(7, batchSize);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    claimed.add(new OutboxMessage(rs.getLong(1), rs.getString(2), rs.getString(3),
                            rs.getString(4), rs.getString(5), rs.getInt(6), rs.getInt(7), rs.getString(8),
                            rs.getString(9)));
                }
            }
        }
        claimed.sort(Comparator.comparingLong(OutboxMessage::id));
        return claimed;
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
            // in id order, the order outbox-ack locks the rows it settles in (see ACKNOWLEDGE)
            List<SendResult> inIdOrder = new ArrayList<>(results);
            inIdOrder.sort(Comparator.comparingLong(SendResult::outboxId));
            for (SendResult r : inIdOrder) {
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
     * The peers stored these messages: their rows are done, in one transaction with their audit entries. Only the
     * recipient of a row can acknowledge it; an ack sent twice, or for a message this proxy does not know, changes
     * nothing.
     *
     * @return the rows acknowledged now
     */
    public List<Acknowledged> acknowledge(List<Ack> acks) throws SQLException {
        List<UUID> ids = new ArrayList<>(acks.size());
        List<String> peers = new ArrayList<>(acks.size());
        for (Ack ack : acks) {
            UUID id = parse(ack.messageId());
            if (id != null && ack.peerJid() != null) {
                ids.add(id);
                peers.add(ack.peerJid());
            }
        }
        if (ids.isEmpty()) {
            return List.of();
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(ACKNOWLEDGE)) {
                ps.setArray(1, c.createArrayOf("uuid", ids.toArray()));
                ps.setArray(2, c.createArrayOf("text", peers.toArray()));
                List<Acknowledged> done = new ArrayList<>();
                List<AuditEvent> outcomes = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        done.add(new Acknowledged(rs.getString(1), rs.getString(3), rs.getString(2), rs.getInt(8)));
                        outcomes.add(transfer("transfer.acknowledged", rs.getString(1), rs.getString(2),
                                rs.getString(4), rs.getString(5), description(rs, 6), null));
                    }
                }
                audit.append(c, outcomes);
                c.commit();
                return done;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
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
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(REJECT)) {
                ps.setString(1, fullReason);
                ps.setObject(2, id);
                ps.setString(3, peerJid);
                ps.setString(4, fullReason);
                boolean rejected = false;
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        rejected = true;
                        audit.append(c, List.of(transfer("transfer.rejected", messageId, peerJid, rs.getString(1),
                                rs.getString(2), description(rs, 3), fullReason)));
                    }
                }
                c.commit();
                if (rejected) {
                    LOG.warn("Outbox message {} {}", messageId, fullReason);
                }
                return rejected;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
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
