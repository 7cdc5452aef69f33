package org.senproxy.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.senproxy.audit.AuditEvent;
import org.senproxy.audit.AuditTrail;
import org.senproxy.consent.DataPeriod;
import org.senproxy.consent.Scope;
import org.senproxy.db.Sql;
import org.senproxy.db.Times;
import org.senproxy.db.Transactions;
import org.senproxy.senml.Measurement;
import org.senproxy.senml.Senml;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records a source reads while no consumer may take them are not lost: each is in {@code source_record} (kept
 * {@code senproxy.retention.keys-days}). A consumer made by {@code consents grant --source} starts not caught up:
 * outbox-append leaves it out, and the first claim of outbox-dispatch after its consent comes into force sends it, from
 * {@code source_record}, every record of its source that its scope and its consent's data period cover, then marks it
 * caught up. From then on outbox-append includes it.
 *
 * <p>Nothing twice, nothing missed: the catch-up holds an exclusive advisory lock on its source for its transaction,
 * and every append holds the shared one from the moment it takes its records' keys until it commits
 * ({@link SourceKeys}). An append that committed before the catch-up left the consumer out, and its records are read
 * by the catch-up; an append that reads the consumers after the catch-up committed includes it, and the catch-up did
 * not see its records. Cost: one scan of the source's stored records per new consumer; the source's appends wait for
 * it.
 */
final class CatchUp {

    private static final Logger LOG = LoggerFactory.getLogger(CatchUp.class);

    /** Records packed and written per round, so that a long history is not held in memory at once. */
    private static final int ROUND = 10_000;

    /** The advisory lock space of sources: the first key of pg_advisory_xact_lock(int, int). */
    static final int SOURCE_LOCKS = 0x53454e50; // "SENP"

    private static final Sql NEXT = Sql.of(CatchUp.class, "catch-up-next");
    private static final Sql LOCK = Sql.of(CatchUp.class, "catch-up-lock");
    private static final Sql HELD = Sql.of(CatchUp.class, "catch-up-held");
    private static final Sql DONE = Sql.of(CatchUp.class, "catch-up-done");

    private final DataSource dataSource;
    private final AuditTrail audit;
    private final String ownJid;
    private final boolean consentRequired;
    private final OutboxPacker packer;

    CatchUp(DataSource dataSource, AuditTrail audit, String ownJid, boolean consentRequired, OutboxPacker packer) {
        this.dataSource = dataSource;
        this.audit = audit;
        this.ownJid = ownJid;
        this.consentRequired = consentRequired;
        this.packer = packer;
    }

    /** What catching up one consumer did. */
    record Result(long consumerId, String source, int records, int messages, int outsideDataPeriod) {}

    /**
     * Catches up the next consumer waiting for it, in one transaction.
     *
     * @return what it sent, or null when no consumer is waiting (or the ones waiting are being caught up elsewhere)
     */
    Result next() throws SQLException {
        Result result = Transactions.inTransaction(dataSource, this::next);
        if (result != null) {
            LOG.info(
                    "Consumer {} of {} caught up: {} record(s) its source read before it could take them"
                            + " sent in {} message(s); {} outside its consent's data period left out",
                    result.consumerId(),
                    result.source(),
                    result.records(),
                    result.messages(),
                    result.outsideDataPeriod());
        }
        return result;
    }

    private Result next(Connection c) throws SQLException {
        record Waiting(String source, Subscription subscription, String owner) {}
        Waiting waiting = NEXT.one(c, NEXT.params().set("consent_required", consentRequired), rs -> {
            String ref = rs.getString(7);
            DataPeriod data = ref == null ? null : new DataPeriod(Times.instant(rs, 9), Times.instant(rs, 10));
            return new Waiting(
                    rs.getString(2),
                    new Subscription(
                            rs.getLong(1),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getString(5),
                            rs.getString(6),
                            ref,
                            ref == null ? null : Scope.parse(rs.getString(8)),
                            data,
                            rs.getBoolean(11)),
                    rs.getString(12));
        });
        if (waiting == null) {
            return null;
        }
        String source = waiting.source();
        Subscription subscription = waiting.subscription();
        String owner = waiting.owner();
        LOCK.execute(c, LOCK.params().set("lock_space", SOURCE_LOCKS).set("source", source));
        String correlation = "catch-up-" + subscription.consumerId();
        Sent sent = new Sent();
        DataPeriod data = subscription.data();
        try (PreparedStatement ps = HELD.prepare(
                c,
                HELD.params()
                        .set("source", source)
                        .set("from_us", data == null ? Long.MIN_VALUE : Times.micros(data.from()))
                        .set(
                                "until_us",
                                data == null || data.until() == null ? Long.MAX_VALUE : Times.micros(data.until())))) {
            ps.setFetchSize(ROUND);
            List<Measurement> round = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    round.addAll(Senml.resolve(Senml.parseJson(rs.getString(1)), 0));
                    if (round.size() >= ROUND) {
                        sent.add(c, packer.pack(round, List.of(subscription)), correlation);
                        round.clear();
                    }
                }
            }
            sent.add(c, packer.pack(round, List.of(subscription)), correlation);
        }
        DONE.update(c, DONE.params().set("consumer_id", subscription.consumerId()));
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("consumer", subscription.consumerId());
        detail.put("source", source);
        detail.put("to", subscription.recipientJid());
        detail.put("records", sent.records);
        detail.put("messages", sent.messages);
        if (subscription.data() != null) {
            detail.put("data_period", subscription.data().text());
        }
        audit.append(c, List.of(AuditEvent.of("consumer.caught_up", ownJid, owner, subscription.consentRef(), detail)));
        return new Result(subscription.consumerId(), source, sent.records, sent.messages, sent.outside);
    }

    /** What a catch-up wrote so far, round after round. */
    private static final class Sent {
        int records;
        int messages;
        int outside;

        void add(Connection c, OutboxPacker.Packed packed, String correlation) throws SQLException {
            OutboxRows.insert(c, packed.entries(), correlation);
            for (OutboxEntry e : packed.entries()) {
                records += e.records().size();
            }
            messages += packed.entries().size();
            outside += packed.outsideDataPeriod();
        }
    }
}
