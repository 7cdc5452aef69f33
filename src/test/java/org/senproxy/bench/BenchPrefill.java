package org.senproxy.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.postgresql.ds.PGSimpleDataSource;
import org.senproxy.db.Sql;
import org.senproxy.delivery.Retention;
import org.senproxy.outbox.OutboxRowsAccess;
import org.senproxy.quoalise.QuoaliseService;
import org.senproxy.senml.Measurement;
import org.senproxy.senml.Senml;
import org.senproxy.testing.TestPostgres;

/**
 * History at scale (issue 22), without the proxies: fills a proxy's {@code source_record} the fast way (one
 * {@code INSERT ... SELECT generate_series} per day, in its day's partition, not through the proxy), then prints what
 * that history costs: bytes on disk per key (table and indexes), get_history for one day of one series (the proxy's
 * own statement, quoalise-history.sql), and a retention run that drops the day past keys-days. ThroughputBenchmark
 * calls {@link #sourceRecords} before the proxies start when {@code bench.prefill.source-records} is set; alone:
 *
 * <pre>
 * java -cp target/test-classes:target/classes:$(cat cp.txt) -Dbench.prefill.source-records=10000000 \
 *     org.senproxy.bench.BenchPrefill
 * </pre>
 */
public final class BenchPrefill {

    /** Days of history: the retention's 35, and one more that a retention run drops. */
    static final int DAYS = 36;

    static final int SERIES = 100;

    private BenchPrefill() {}

    /**
     * {@code rows} keys of source {@code bench-prefill-source}, {@value #SERIES} series, spread evenly over the last
     * {@value #DAYS} days (UTC), each taken at its record's time, with a record's SenML as the proxy keeps it. Returns
     * the seconds it took.
     */
    static double sourceRecords(String url, long rows) throws Exception {
        long started = System.nanoTime();
        long perDay = rows / DAYS;
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
                Statement s = c.createStatement()) {
            for (int d = DAYS; d >= 0; d--) {
                s.execute("SELECT source_record_make_partition(date '" + today.minusDays(d) + "')");
            }
            for (int d = DAYS; d >= 1; d--) {
                long dayStart = today.minusDays(d).toEpochDay() * 86_400_000_000L;
                long step = 86_400_000_000L / Math.max(1, perDay / SERIES);
                // one key per series every `step` microseconds: series g % SERIES, time from the day's start
                s.execute("INSERT INTO source_record (source, name, time_us, taken_at, record)"
                        + " SELECT 'bench-prefill-source', 'urn:dev:bench:history:' || (g % " + SERIES
                        + ") || '_power',"
                        + " t, to_timestamp(t / 1e6),"
                        + " '[{\"n\":\"urn:dev:bench:history:' || (g % " + SERIES + ") || '_power\",\"u\":\"W\",\"v\":'"
                        + " || (g % 5000) || ',\"t\":' || (t / 1e6) || '}]'"
                        + " FROM (SELECT g, " + dayStart + " + (g / " + SERIES + ")::bigint * " + step + " AS t"
                        + " FROM generate_series(0, " + (perDay - 1) + ") g) AS k");
                System.out.printf("prefill: day -%d, %,d keys%n", d, perDay);
            }
            s.execute("ANALYZE source_record");
        }
        return (System.nanoTime() - started) / 1e9;
    }

    /**
     * {@code rows} delivered rows in a receiving proxy's inbox, from {@code sender}, delivered evenly over the last 6 days
     * (inside done-days, 7: the retention keeps them), each a message of 10 records (a SenML pack of about 700 bytes),
     * in one {@code INSERT ... SELECT generate_series}. Returns a report line.
     */
    static String inbox(String url, String sender, long rows) throws Exception {
        long t0 = System.nanoTime();
        String payload = BenchRecords.pack(new BenchRecords("urn:dev:bench:inbox-history:").next(10));
        long stepMillis = 6 * 86_400_000L / rows;
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
                java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO inbox (sender_jid, message_id,"
                        + " correlation_id, format_version, payload, record_count, status, received_at, delivered_at)"
                        + " SELECT ?, 'bench-prefill-' || g, 'bench-prefill', 1, ?, 10, 'delivered',"
                        + " now() - interval '6 days' + g * interval '" + stepMillis + " ms',"
                        + " now() - interval '6 days' + g * interval '" + stepMillis + " ms'"
                        + " FROM generate_series(1, " + rows + ") g");
                Statement s = c.createStatement()) {
            ps.setString(1, sender);
            ps.setString(2, payload);
            ps.executeUpdate();
            s.execute("VACUUM ANALYZE inbox");
            return String.format(
                    "- B's inbox prefilled: %,d delivered rows of 10 records over the last 6 days (inside done-days)"
                            + " in %.1f s; inbox %,d MB with its indexes",
                    rows, (System.nanoTime() - t0) / 1e9, one(s, "SELECT pg_total_relation_size('inbox')") >> 20);
        }
    }

    /**
     * A backlog of {@code rows} outbox rows for {@code recipient}, {@code perRow} records each, due now: the first 1,000
     * written by the proxy's own statement (their canonical payload and the digest that is signed), the rest copies of
     * those with message ids of their own ({@code INSERT ... SELECT generate_series}). Returns a report line.
     */
    static String outboxBacklog(String url, String recipient, String consentRef, long rows, int perRow)
            throws Exception {
        long t0 = System.nanoTime();
        int templates = (int) Math.min(rows, 1000);
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
                Statement s = c.createStatement()) {
            long consumer = one(s, "SELECT min(id) FROM consumer");
            BenchRecords records = new BenchRecords("urn:dev:bench:backlog:");
            List<List<Measurement>> packs = new ArrayList<>();
            for (int i = 0; i < templates; i++) {
                packs.add(Senml.resolve(Senml.parseJson(BenchRecords.pack(records.next(perRow))), 0));
            }
            c.setAutoCommit(false);
            OutboxRowsAccess.insert(c, consumer, recipient, consentRef, packs, "bench-backlog");
            c.commit();
            c.setAutoCommit(true);
            s.execute("INSERT INTO outbox (message_id, correlation_id, consumer_id, recipient_jid, payload,"
                    + " record_count, consent_ref, ack_required, transfer, first_at, last_at)"
                    + " SELECT gen_random_uuid(), t.correlation_id, t.consumer_id, t.recipient_jid, t.payload,"
                    + " t.record_count, t.consent_ref, t.ack_required, t.transfer, t.first_at, t.last_at"
                    + " FROM generate_series(1, " + (rows / templates + 1) + ") g"
                    + " CROSS JOIN (SELECT * FROM outbox WHERE correlation_id = 'bench-backlog') t"
                    + " ORDER BY g, t.id LIMIT " + (rows - templates));
            s.execute("VACUUM ANALYZE outbox");
            return String.format(
                    "- A's outbox: %,d rows of %d records for %s written while it was suspended, in %.1f s (the first"
                            + " %,d by the proxy's statement, the rest copies of them); outbox %,d MB with its indexes",
                    one(s, "SELECT count(*) FROM outbox WHERE correlation_id = 'bench-backlog'"),
                    perRow,
                    recipient,
                    (System.nanoTime() - t0) / 1e9,
                    templates,
                    one(s, "SELECT pg_total_relation_size('outbox')") >> 20);
        }
    }

    /** What the history costs: report lines, and the figures the benchmark's summary compares. */
    record History(List<String> lines, long bytesPerKey, double historyMedianMillis) {}

    /**
     * What the history costs, as report lines; with {@code retention}, a retention run (keys-days 35) at the end, which
     * drops the oldest day.
     */
    static History report(String url, long rows, double fillSeconds, boolean retention) throws Exception {
        List<String> lines = new ArrayList<>();
        long bytesPerKey;
        double medianMillis;
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
                Statement s = c.createStatement()) {
            long keys = one(s, "SELECT count(*) FROM source_record");
            long bytes = one(
                    s,
                    "SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits"
                            + " WHERE inhparent = 'source_record'::regclass");
            long table = one(
                    s,
                    "SELECT sum(pg_relation_size(inhrelid)) FROM pg_inherits"
                            + " WHERE inhparent = 'source_record'::regclass");
            lines.add(String.format(
                    "- source_record prefilled: %,d keys over %d days in %.1f s (%,.0f keys/s), %d partitions",
                    keys,
                    DAYS,
                    fillSeconds,
                    rows / fillSeconds,
                    one(s, "SELECT count(*) FROM pg_inherits WHERE inhparent = 'source_record'::regclass")));
            lines.add(String.format(
                    "- on disk: %,d bytes per key (table %d, indexes and TOAST %d)",
                    bytes / keys, table / keys, (bytes - table) / keys));
            bytesPerKey = bytes / keys;
            // get_history: one day of one series, 20 times, the proxy's statement
            Sql history = Sql.of(QuoaliseService.class, "quoalise-history");
            long dayStart = LocalDate.now(ZoneOffset.UTC).minusDays(10).toEpochDay() * 86_400_000_000L;
            List<Double> millis = new ArrayList<>();
            int got = 0;
            for (int i = 0; i < 20; i++) {
                long t0 = System.nanoTime();
                got = history.query(
                                c,
                                history.params()
                                        .set("name", "urn:dev:bench:history:" + (i % SERIES) + "_power")
                                        .set("from_us", dayStart)
                                        .set("to_us", dayStart + 86_400_000_000L)
                                        .set("max_rows", 100_000),
                                rs -> rs.getString(1))
                        .size();
                millis.add((System.nanoTime() - t0) / 1e6);
            }
            Collections.sort(millis);
            medianMillis = millis.get(10);
            lines.add(String.format(
                    "- get_history, one day of one series (%,d records): median %.1f ms, max %.1f ms over 20 series",
                    got, millis.get(10), millis.get(19)));
        }
        if (retention) {
            long t0 = System.nanoTime();
            Retention.Purged purged = retention(url);
            lines.add(String.format(
                    "- retention run (keys-days 35): %,d keys gone in %.2f s",
                    purged.sourceRecord(), (System.nanoTime() - t0) / 1e9));
        }
        return new History(lines, bytesPerKey, medianMillis);
    }

    /** One run of the proxy's retention on {@code url} with the default settings (keys-days 35). */
    static Retention.Purged retention(String url) throws Exception {
        PGSimpleDataSource dataSource = TestPostgres.dataSource(url);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        return new Retention(dataSource, () -> meters, 7, 35, 90, 10_000).purge();
    }

    private static long one(Statement s, String query) throws Exception {
        try (ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    public static void main(String[] args) throws Exception {
        long rows = Long.getLong("bench.prefill.source-records", 1_000_000L);
        String url = TestPostgres.newDatabase("bench_history");
        TestPostgres.migrate(url);
        double took = sourceRecords(url, rows);
        report(url, rows, took, true).lines().forEach(System.out::println);
        System.exit(0);
    }
}
