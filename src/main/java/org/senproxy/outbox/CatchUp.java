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
import org.senproxy.db.Times;
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

    /** One consumer waiting to be caught up whose consent is in force (or that needs none), locked. */
    private static final String NEXT = "SELECT c.id, c.source, a.jid, c.series_prefix, c.rename_from, c.rename_to,"
            + " k.ref::text, k.scope, coalesce(k.data_from, k.valid_from), k.data_until, c.acknowledges, u.external_id"
            + " FROM consumer c JOIN app a ON a.id = c.app_id"
            + " LEFT JOIN consent k ON k.id = c.consent_id AND k.app_id = c.app_id AND k.revoked_at IS NULL"
            + "  AND k.valid_from <= now() AND k.valid_until > now()"
            + " LEFT JOIN federated_user u ON u.id = k.user_id"
            + " WHERE c.active AND NOT c.caught_up AND (k.id IS NOT NULL OR (c.consent_id IS NULL AND NOT ?))"
            + " ORDER BY c.id LIMIT 1 FOR UPDATE OF c SKIP LOCKED";

    private static final String HELD = "SELECT record FROM source_record WHERE source = ? AND time_us >= ?"
            + " AND time_us < ? AND record IS NOT NULL ORDER BY time_us, name";

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
    record Result(long consumerId, String source, int records, int messages, int outsideDataPeriod) {
    }

    /**
     * Catches up the next consumer waiting for it, in one transaction.
     *
     * @return what it sent, or null when no consumer is waiting (or the ones waiting are being caught up elsewhere)
     */
    Result next() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Result result = next(c);
                c.commit();
                if (result != null) {
                    LOG.info("Consumer {} of {} caught up: {} record(s) its source read before it could take them"
                            + " sent in {} message(s); {} outside its consent's data period left out",
                            result.consumerId(), result.source(), result.records(), result.messages(),
                            result.outsideDataPeriod());
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private Result next(Connection c) throws SQLException {
        Subscription subscription;
        String source;
        String owner;
        try (PreparedStatement ps = c.prepareStatement(NEXT)) {
            ps.setBoolean(1, consentRequired);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                source = rs.getString(2);
                String ref = rs.getString(7);
                DataPeriod data = ref == null ? null : new DataPeriod(Times.instant(rs, 9), Times.instant(rs, 10));
                subscription = new Subscription(rs.getLong(1), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), ref, ref == null ? null : Scope.parse(rs.getString(8)), data,
                        rs.getBoolean(11));
                owner = rs.getString(12);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?, hashtext(?))")) {
            ps.setInt(1, SOURCE_LOCKS);
            ps.setString(2, source);
            ps.execute();
        }
        String correlation = "catch-up-" + subscription.consumerId();
        Sent sent = new Sent();
        try (PreparedStatement ps = c.prepareStatement(HELD)) {
            DataPeriod data = subscription.data();
            ps.setString(1, source);
            ps.setLong(2, data == null ? Long.MIN_VALUE : Times.micros(data.from()));
            ps.setLong(3, data == null || data.until() == null ? Long.MAX_VALUE : Times.micros(data.until()));
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
        try (PreparedStatement ps = c.prepareStatement("UPDATE consumer SET caught_up = true WHERE id = ?")) {
            ps.setLong(1, subscription.consumerId());
            ps.executeUpdate();
        }
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("consumer", subscription.consumerId());
        detail.put("source", source);
        detail.put("to", subscription.recipientJid());
        detail.put("records", sent.records);
        detail.put("messages", sent.messages);
        if (subscription.data() != null) {
            detail.put("data_period", subscription.data().text());
        }
        audit.append(c, List.of(AuditEvent.of("consumer.caught_up", ownJid, owner, subscription.consentRef(),
                detail)));
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
