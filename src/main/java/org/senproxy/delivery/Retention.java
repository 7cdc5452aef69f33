package org.senproxy.delivery;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.function.Supplier;

import javax.sql.DataSource;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.senproxy.db.Sql;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what is done, so that the tables stay small under months of traffic (routes/retention.camel.yaml runs it):
 * <ul>
 * <li>outbox rows acknowledged by their recipient ({@code acked}) more than {@code doneDays} ago, and rows withheld
 * because their consent ended ({@code revoked}) written more than {@code doneDays} ago;</li>
 * <li>inbox rows delivered to the sink ({@code delivered}) more than {@code doneDays} ago;</li>
 * <li>source record keys ({@code source_record}) whose record's day (UTC) ended more than {@code keysDays} ago and that
 * were taken more than {@code keysDays} ago: the table is partitioned by day of record time (migration V18), and a day
 * partition past that horizon goes whole ({@code DROP TABLE}) when none of its keys was taken since; the few keys
 * left (the DEFAULT partition's, a day kept for a key taken late) are deleted in batches. Each run also makes the day
 * partitions from yesterday to {@value #PARTITIONS_AHEAD_DAYS} days ahead;</li>
 * <li>dead letters replayed more than {@code deadLetterDays} ago;</li>
 * <li>control messages (table {@code control_message}) settled and written more than {@code doneDays} ago, dead ones
 * written more than {@code deadLetterDays} ago.</li>
 * </ul>
 * Rows still to do (pending, sent), dead rows and open dead letters are never deleted: only an operator's replay
 * closes them. Each table is purged in statements of at most {@code batchSize} rows, each in a transaction of its own
 * and repeated until fewer come back, so that no statement holds locks long; rows another replica is purging at the
 * same moment are skipped, not waited for. Deleted rows count in {@code senproxy_retention_deleted_total{table}}.
 */
public class Retention {

    /** What one run deleted, per table. */
    public record Purged(long outbox, long inbox, long sourceRecord, long deadLetter, long control) {

        public long total() {
            return outbox + inbox + sourceRecord + deadLetter + control;
        }

        @Override
        public String toString() {
            return outbox + " outbox row(s), " + inbox + " inbox row(s), " + sourceRecord + " source record key(s), "
                    + deadLetter + " dead letter(s), " + control + " control message(s)";
        }
    }

    private static final Sql OUTBOX = Sql.of(Retention.class, "purge-outbox-acked");
    private static final Sql OUTBOX_REVOKED = Sql.of(Retention.class, "purge-outbox-revoked");
    private static final Sql INBOX = Sql.of(Retention.class, "purge-inbox");
    private static final Sql SOURCE_RECORD = Sql.of(Retention.class, "purge-source-record");
    private static final Sql PARTITIONS_MAKE = Sql.of(Retention.class, "source-record-partitions-make");
    private static final Sql PARTITIONS_OLD = Sql.of(Retention.class, "source-record-partitions-old");
    private static final Sql PARTITION_DROP = Sql.of(Retention.class, "source-record-partition-drop");

    /**
     * Day partitions of {@code source_record} made ahead of the records' time: a proxy stopped for longer only sends
     * records to the DEFAULT partition meanwhile, whose rows move into their day's partition once it is made.
     */
    static final int PARTITIONS_AHEAD_DAYS = 7;

    /**
     * How long the drop of a day partition waits for {@code source_record}'s lock, inserts queueing behind it: a few
     * statements' time. A drop that did not get it is tried again by the next run.
     */
    static final int DROP_LOCK_MS = 1000;

    private static final String LOCK_NOT_AVAILABLE = "55P03";
    private static final Logger LOG = LoggerFactory.getLogger(Retention.class);
    private static final Sql DEAD_LETTER = Sql.of(Retention.class, "purge-dead-letter");
    private static final Sql CONTROL = Sql.of(Retention.class, "purge-control");
    private static final Sql CONTROL_DEAD = Sql.of(Retention.class, "purge-control-dead");

    private final DataSource dataSource;
    private final Supplier<MeterRegistry> meters;
    private final int doneDays;
    private final int keysDays;
    private final int deadLetterDays;
    private final int batchSize;

    /**
     * @param meters         the registry of the proxy's meters, looked up when a run counts what it deleted
     * @param doneDays       age of acknowledged outbox rows and delivered inbox rows that are deleted
     * @param keysDays       age of source record keys that are deleted: longer than any source's re-read window
     * @param deadLetterDays age, since their replay, of replayed dead letters that are deleted
     * @param batchSize      rows deleted per statement at most
     */
    public Retention(
            DataSource dataSource,
            Supplier<MeterRegistry> meters,
            int doneDays,
            int keysDays,
            int deadLetterDays,
            int batchSize) {
        this.dataSource = dataSource;
        this.meters = meters;
        this.doneDays = atLeastOne("senproxy.retention.done-days", doneDays);
        this.keysDays = atLeastOne("senproxy.retention.keys-days", keysDays);
        this.deadLetterDays = atLeastOne("senproxy.retention.dead-letter-days", deadLetterDays);
        this.batchSize = atLeastOne("senproxy.retention.batch-size", batchSize);
    }

    private static int atLeastOne(String key, int value) {
        if (value < 1) {
            throw new IllegalStateException("Setting " + key + " must be at least 1, not " + value);
        }
        return value;
    }

    /** One run: every table purged of what is old enough, batch after batch. */
    public Purged purge() throws SQLException {
        return new Purged(
                purge("outbox", OUTBOX, doneDays) + purge("outbox", OUTBOX_REVOKED, doneDays),
                purge("inbox", INBOX, doneDays),
                purgeSourceRecords(),
                purge("dead_letter", DEAD_LETTER, deadLetterDays),
                purge("control_message", CONTROL, doneDays) + purge("control_message", CONTROL_DEAD, deadLetterDays));
    }

    /**
     * The day partitions made ahead, those past the horizon dropped whole, then the keys left outside their retention
     * deleted in batches.
     */
    private long purgeSourceRecords() throws SQLException {
        long dropped = 0;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            PARTITIONS_MAKE.one(
                    c, PARTITIONS_MAKE.params().set("days_ahead", PARTITIONS_AHEAD_DAYS), rs -> rs.getLong(1));
            for (String part :
                    PARTITIONS_OLD.query(c, PARTITIONS_OLD.params().set("days", keysDays), rs -> rs.getString(1))) {
                try {
                    long rows = PARTITION_DROP.one(
                            c,
                            PARTITION_DROP
                                    .params()
                                    .set("part", part)
                                    .set("days", keysDays)
                                    .set("lock_ms", DROP_LOCK_MS),
                            rs -> rs.getLong(1));
                    if (rows >= 0) {
                        dropped += rows;
                        LOG.debug("Retention dropped partition {} ({} source record key(s))", part, rows);
                    }
                } catch (SQLException e) {
                    if (!LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                        throw e;
                    }
                    LOG.warn(
                            "Retention kept partition {} until its next run: source_record stayed locked for {} ms",
                            part,
                            DROP_LOCK_MS);
                }
            }
        } finally {
            count("source_record", dropped);
        }
        return dropped + purge("source_record", SOURCE_RECORD, keysDays);
    }

    private void count(String table, long rows) {
        Counter.builder("senproxy.retention.deleted")
                .tag("table", table)
                .description("rows deleted by the retention because they were done and old enough")
                .register(meters.get())
                .increment(rows);
    }

    private long purge(String table, Sql statement, int days) throws SQLException {
        long total = 0;
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = statement.prepare(
                        c, statement.params().set("days", days).set("batch_size", batchSize))) {
            c.setAutoCommit(true);
            int deleted;
            do {
                // each batch commits on its own (auto-commit), with the parameters bound once
                deleted = ps.executeUpdate();
                total += deleted;
            } while (deleted == batchSize);
        } finally {
            // counted even when a later batch failed: what was committed is gone
            count(table, total);
        }
        return total;
    }
}
