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
import org.senproxy.quoalise.QuoaliseService;
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

    /** What the history costs, as report lines. */
    static List<String> report(String url, long rows, double fillSeconds) throws Exception {
        List<String> lines = new ArrayList<>();
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
            lines.add(String.format(
                    "- get_history, one day of one series (%,d records): median %.1f ms, max %.1f ms over 20 series",
                    got, millis.get(10), millis.get(19)));
        }
        PGSimpleDataSource dataSource = TestPostgres.dataSource(url);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        long t0 = System.nanoTime();
        Retention.Purged purged = new Retention(dataSource, () -> meters, 7, 35, 90, 10_000).purge();
        lines.add(String.format(
                "- retention run (keys-days 35): %,d keys gone in %.2f s",
                purged.sourceRecord(), (System.nanoTime() - t0) / 1e9));
        return lines;
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
        report(url, rows, took).forEach(System.out::println);
        System.exit(0);
    }
}
