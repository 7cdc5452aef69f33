package org.senproxy.outbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import javax.sql.DataSource;

import org.senproxy.consent.DataPeriod;
import org.senproxy.consent.Scope;
import org.senproxy.db.Sql;
import org.senproxy.db.Times;
import org.senproxy.db.Transactions;
import org.senproxy.senml.Measurement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * outbox-append (bean {@code outboxAppend}): a poll's records into the outbox, one row per message per subscribed
 * consumer, in one transaction.
 */
public class OutboxAppend {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxAppend.class);

    private static final Sql SUBSCRIPTIONS = Sql.of(OutboxAppend.class, "subscriptions");

    private final DataSource dataSource;
    private final boolean consentRequired;
    private final OutboxPacker packer;

    /** @param consentRequired whether a consumer needs a consent in force to send ({@code senproxy.consent.required}) */
    public OutboxAppend(DataSource dataSource, boolean consentRequired, OutboxPacker packer) {
        this.dataSource = dataSource;
        this.consentRequired = consentRequired;
        this.packer = packer;
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
        record Written(List<Measurement> fresh, List<Subscription> subscriptions, OutboxPacker.Packed packed) {}
        Written w = Transactions.inTransaction(dataSource, c -> {
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
            // the payload is the records' canonical JSON; its digest goes into the audit description, and
            // outbox-dispatch signs that digest
            OutboxRows.insert(c, packed.entries(), correlationId);
            return new Written(fresh, subscriptions, packed);
        });
        int duplicates = records.size() - w.fresh().size();
        if (duplicates > 0) {
            LOG.debug(
                    "{} of {} record(s) of {} had a name and time seen before: dropped as duplicates",
                    duplicates,
                    records.size(),
                    source);
        }
        int held = w.subscriptions().isEmpty() ? w.fresh().size() : 0;
        if (held > 0) {
            LOG.debug("No consumer may take {} now: its {} new record(s) are held in source_record", source, held);
        }
        return new Appended(
                w.packed().entries().size(),
                w.fresh().size(),
                duplicates,
                w.packed().outsideDataPeriod(),
                held);
    }

    /**
     * The consumers that may take this poll's records: those whose consent is in force now (or, when consents are not
     * required, those without one), and that are caught up. A consumer whose consent was revoked, ran out or is not
     * yet valid takes nothing; one not caught up yet takes this poll's records with what it missed ({@link CatchUp}).
     */
    private List<Subscription> subscriptions(Connection c, String source) throws SQLException {
        List<Subscription> found = SUBSCRIPTIONS.query(c, SUBSCRIPTIONS.params().set("source", source), rs -> {
            rs.getLong(6);
            boolean hasConsent = !rs.wasNull();
            String consentRef = rs.getString(7);
            if (hasConsent ? consentRef == null : consentRequired) {
                LOG.debug(
                        "Consumer {} of {} takes nothing: {}",
                        rs.getLong(1),
                        source,
                        hasConsent ? "its consent is not in force" : "it has no consent");
                return null;
            }
            if (!rs.getBoolean(12)) {
                LOG.debug(
                        "Consumer {} of {} is not caught up yet: outbox-dispatch catches it up first",
                        rs.getLong(1),
                        source);
                return null;
            }
            return new Subscription(
                    rs.getLong(1),
                    rs.getString(2),
                    rs.getString(3),
                    rs.getString(4),
                    rs.getString(5),
                    consentRef,
                    consentRef == null ? null : Scope.parse(rs.getString(8)),
                    consentRef == null ? null : new DataPeriod(Times.instant(rs, 10), Times.instant(rs, 11)),
                    rs.getBoolean(9));
        });
        found.removeIf(s -> s == null);
        return found;
    }
}
