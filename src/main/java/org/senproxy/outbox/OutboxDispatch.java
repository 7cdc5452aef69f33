package org.senproxy.outbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import javax.sql.DataSource;

import org.senproxy.audit.AuditEvent;
import org.senproxy.audit.AuditTrail;
import org.senproxy.consent.WithheldRecords;
import org.senproxy.db.Sql;
import org.senproxy.db.Transactions;
import org.senproxy.delivery.RetryPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * outbox-dispatch (bean {@code outboxDispatch}): claims batches of due rows and records what writing them to the XMPP
 * stream did. Every method is one round trip or one batch, never one statement per record. A row is done when the
 * peer acknowledged it ({@link OutboxAcks}), not when the XMPP stream accepted it.
 */
public class OutboxDispatch {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxDispatch.class);

    private static final Sql WITHHOLD = Sql.of(OutboxDispatch.class, "withhold");
    private static final Sql EXPIRE = Sql.of(OutboxDispatch.class, "expire");
    private static final Sql CLAIM = Sql.of(OutboxDispatch.class, "claim");
    private static final Sql WRITTEN = Sql.of(OutboxDispatch.class, "written");
    private static final Sql FAILED = Sql.of(OutboxDispatch.class, "failed");

    private final DataSource dataSource;
    private final AuditTrail audit;
    private final String ownJid;
    private final boolean consentRequired;
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
     * @param audit           where each message's outcome is recorded (failed, withheld, narrowed)
     * @param ownJid          this proxy's bare JID, the actor of those entries
     * @param consentRequired whether a consumer needs a consent in force to send ({@code senproxy.consent.required})
     * @param packer          packs what a consumer caught up gets ({@link CatchUp})
     * @param replica         a name for this process, kept in claimed_by for support
     * @param window          at most this many messages in flight per recipient, claimed and not yet acknowledged
     *                        ({@code senproxy.outbox.window}); 0 for no bound
     * @param sendRetry       backoff after a failed write to the XMPP stream
     * @param ackWait         how long to wait for the peer's acknowledgement before sending again
     */
    public OutboxDispatch(
            DataSource dataSource,
            AuditTrail audit,
            String ownJid,
            boolean consentRequired,
            OutboxPacker packer,
            String replica,
            int batchSize,
            int window,
            long leaseMillis,
            RetryPolicy sendRetry,
            RetryPolicy ackWait) {
        this.dataSource = dataSource;
        this.audit = audit;
        this.ownJid = ownJid;
        this.consentRequired = consentRequired;
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
     * Claims a batch of due rows (new, or sent and not acknowledged in time) for this replica. Before, in a
     * transaction of its own, the next consumer waiting to be caught up gets what its source read before it could
     * take it ({@link CatchUp}). Then, in one transaction: due rows whose consent was revoked or ran out are withheld,
     * rows out of attempts become dead letters, rows holding records outside their consent's data period are trimmed
     * to it ({@link QueuedTrim}), each audited; then the claim. Rows locked by another replica are skipped, not waited
     * for.
     */
    public List<OutboxMessage> claim() throws SQLException {
        catchUp.next();
        long[] outside = new long[1];
        List<OutboxMessage> claimed = Transactions.inTransaction(dataSource, c -> {
            List<AuditEvent> outcomes = new ArrayList<>();
            int withheldRows = settle(
                    c,
                    WITHHOLD,
                    WITHHOLD.params().set("consent_required", consentRequired),
                    "transfer.withheld",
                    outcomes);
            if (withheldRows > 0) {
                LOG.warn("{} outbox message(s) withheld: their consent is no longer in force", withheldRows);
            }
            int expired = settle(
                    c,
                    EXPIRE,
                    EXPIRE.params().set("max_attempts", sendRetry.maxAttempts()),
                    "transfer.failed",
                    outcomes);
            if (expired > 0) {
                LOG.warn("{} outbox message(s) out of attempts moved to dead letters", expired);
            }
            outside[0] = queuedTrim.trim(c, outcomes);
            audit.append(c, outcomes);
            return claimDue(c);
        });
        if (outside[0] > 0) {
            LOG.info("{} queued record(s) withheld: measured outside their consent's data period", outside[0]);
            withheld.count("queued", outside[0]);
        }
        return claimed;
    }

    /**
     * Runs withhold.sql or expire.sql, whose rows are (message id, recipient, consent, reason, owner, description),
     * adding an audit entry of {@code kind} per row to {@code outcomes}; returns the rows.
     */
    private int settle(Connection c, Sql statement, Sql.Params params, String kind, List<AuditEvent> outcomes)
            throws SQLException {
        List<AuditEvent> settled = statement.query(
                c,
                params,
                rs -> Outcomes.transfer(
                        kind,
                        ownJid,
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(5),
                        Outcomes.description(rs, 6),
                        rs.getString(4)));
        outcomes.addAll(settled);
        return settled.size();
    }

    private List<OutboxMessage> claimDue(Connection c) throws SQLException {
        int bound = window > 0 ? window : Integer.MAX_VALUE;
        List<OutboxMessage> claimed = CLAIM.query(
                c,
                CLAIM.params()
                        .set("lease_ms", leaseMillis)
                        .set("replica", replica)
                        .set("max_attempts", sendRetry.maxAttempts())
                        .set("window", bound)
                        .set("consent_required", consentRequired)
                        .set("batch_size", batchSize),
                rs -> new OutboxMessage(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getInt(6),
                        rs.getInt(7),
                        rs.getString(8),
                        rs.getString(9)));
        claimed.sort(Comparator.comparingLong(OutboxMessage::id));
        return claimed;
    }

    /** Records the outcome of a dispatch batch in one batch per kind of outcome. */
    public void recordSendResults(List<SendResult> results) throws SQLException {
        if (results.isEmpty()) {
            return;
        }
        Instant now = Instant.now();
        // in id order, the order outbox-ack locks the rows it settles in (acknowledge.sql)
        List<SendResult> written = new ArrayList<>();
        List<SendResult> failed = new ArrayList<>();
        results.stream()
                .sorted(Comparator.comparingLong(SendResult::outboxId))
                .forEach(r -> (r.written() ? written : failed).add(r));
        try (Connection c = dataSource.getConnection()) {
            WRITTEN.batch(
                    c,
                    written,
                    (r, p) -> p.set(
                                    "next_attempt_at",
                                    Timestamp.from(now.plus(ackWait.delayAfter(r.attemptsBefore() + 1))))
                            .set("id", r.outboxId()));
            FAILED.batch(
                    c,
                    failed,
                    (r, p) -> p.set(
                                    "next_attempt_at",
                                    Timestamp.from(now.plus(sendRetry.delayAfter(r.attemptsBefore() + 1))))
                            .text("error", r.error())
                            .set("id", r.outboxId()));
        }
        if (!failed.isEmpty()) {
            LOG.warn(
                    "{} of {} outbox message(s) could not be written to XMPP; will retry",
                    failed.size(),
                    results.size());
        }
    }
}
