package org.senproxy.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.senproxy.db.Sql;
import org.senproxy.delivery.Retention;
import org.senproxy.testing.TestPostgres;

/**
 * What the retention of finished outbox and inbox rows costs as their history grows (issue 22), without the proxies:
 * for each size in {@code bench.finished.rows} (default {@code 1000000}), a database of its own whose outbox holds that
 * many acknowledged rows and whose inbox that many delivered rows, finished evenly over the last 8 days (done-days is 7:
 * the oldest eighth is due), filled with {@code generate_series}. It prints the plan of one batch of each purge
 * statement (EXPLAIN ANALYZE, BUFFERS, rolled back), then a retention run (the proxy's {@link Retention}, defaults):
 * rows deleted, seconds, microseconds per row, the dead rows it leaves, and the VACUUM that reclaims them.
 *
 * <pre>
 * java -cp target/test-classes:target/classes:$(cat cp.txt) -Dbench.finished.rows=1000000,4000000 \
 *     org.senproxy.bench.BenchFinished
 * </pre>
 */
public final class BenchFinished {

    private static final int DAYS = 8;

    private BenchFinished() {}

    public static void main(String[] args) throws Exception {
        List<String> report = new ArrayList<>();
        for (long rows : Stream.of(
                        System.getProperty("bench.finished.rows", "1000000").split(","))
                .map(String::trim)
                .map(Long::parseLong)
                .toList()) {
            report.addAll(run(rows));
        }
        System.out.println();
        report.forEach(System.out::println);
        System.exit(0);
    }

    /** Peer {@code b} (proxy-b@localhost), a consent for it of a year each way, and consumer 1 under it. */
    static void consumer(Statement s) throws Exception {
        s.execute("INSERT INTO app (name, jid) VALUES ('b', 'proxy-b@localhost')");
        s.execute("INSERT INTO federated_user (external_id) VALUES ('owner-1')");
        s.execute("INSERT INTO consent (ref, user_id, app_id, scope, valid_from, valid_until, granted_by)"
                + " SELECT gen_random_uuid(), 1, id, '*', now() - interval '1 year', now() + interval '1 year',"
                + " 'test' FROM app");
        s.execute("INSERT INTO consumer (source, app_id, consent_id) SELECT 'bench-source', a.id, k.id"
                + " FROM app a JOIN consent k ON k.app_id = a.id");
    }

    static List<String> run(long rows) throws Exception {
        List<String> lines = new ArrayList<>();
        String url = TestPostgres.newDatabase("bench_finished");
        TestPostgres.migrate(url);
        long t0 = System.nanoTime();
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
                Statement s = c.createStatement()) {
            consumer(s);
            // finished evenly over the last DAYS days, oldest first (ids grow with time, as in service)
            String finished =
                    "now() - interval '" + DAYS + " days' + g * interval '" + (DAYS * 86_400_000L / rows) + " ms'";
            s.execute("INSERT INTO outbox (message_id, correlation_id, consumer_id, recipient_jid, payload,"
                    + " record_count, status, attempts, next_attempt_at, created_at, sent_at, acked_at, consent_ref,"
                    + " first_at, last_at)"
                    + " SELECT gen_random_uuid(), 'c' || g, 1, 'proxy-b@localhost', repeat('x', 200), 250, 'acked',"
                    + " 1, " + finished + ", " + finished + ", " + finished + ", " + finished + ","
                    + " (SELECT ref FROM consent), " + finished + ", " + finished
                    + " FROM generate_series(1, " + rows + ") g");
            s.execute("INSERT INTO inbox (sender_jid, message_id, correlation_id, format_version, payload,"
                    + " record_count, status, received_at, delivered_at)"
                    + " SELECT 'proxy-a@localhost', 'm' || g, 'c', 1, repeat('x', 200), 250, 'delivered',"
                    + " " + finished + ", " + finished + " FROM generate_series(1, " + rows + ") g");
            s.execute("VACUUM ANALYZE outbox");
            s.execute("VACUUM ANALYZE inbox");
            lines.add(String.format(
                    "### %,d acknowledged outbox rows and %,d delivered inbox rows over %d days%n", rows, rows, DAYS));
            lines.add(String.format(
                    "- filled in %.1f s; outbox %,d MB, inbox %,d MB (tables and indexes)",
                    (System.nanoTime() - t0) / 1e9, size(s, "outbox") >> 20, size(s, "inbox") >> 20));
            lines.add("- one batch of each purge (10,000 rows), EXPLAIN (ANALYZE, BUFFERS), rolled back:");
            lines.add("");
            lines.add("```");
            for (String name : List.of("purge-outbox-acked", "purge-inbox")) {
                lines.add("-- " + name + ".sql");
                lines.addAll(explain(c, Sql.of(Retention.class, name)));
            }
            lines.add("```");
            lines.add("");
            long t1 = System.nanoTime();
            Retention.Purged purged = BenchPrefill.retention(url);
            double took = (System.nanoTime() - t1) / 1e9;
            long deleted = purged.outbox() + purged.inbox();
            lines.add(String.format(
                    "- retention run (done-days 7): %,d outbox and %,d inbox rows deleted in %.2f s, %.1f µs per row"
                            + " (%,.0f rows/s), in batches of 10,000",
                    purged.outbox(), purged.inbox(), took, 1e6 * took / deleted, deleted / took));
            lines.add(String.format(
                    "- left for vacuum: %,d dead outbox rows, %,d dead inbox rows",
                    dead(s, "outbox"), dead(s, "inbox")));
            long t2 = System.nanoTime();
            s.execute("VACUUM outbox");
            s.execute("VACUUM inbox");
            lines.add(String.format(
                    "- VACUUM of both tables after it: %.2f s; a second retention run at once: %s",
                    (System.nanoTime() - t2) / 1e9, timed(url)));
            lines.add("");
        }
        return lines;
    }

    private static String timed(String url) throws Exception {
        long t0 = System.nanoTime();
        Retention.Purged purged = BenchPrefill.retention(url);
        return String.format("%,d rows in %.3f s", purged.outbox() + purged.inbox(), (System.nanoTime() - t0) / 1e9);
    }

    /** The plan of one execution of {@code sql} with the defaults' parameters, in a transaction rolled back. */
    private static List<String> explain(Connection c, Sql sql) throws Exception {
        List<String> plan = new ArrayList<>();
        c.setAutoCommit(false);
        try (PreparedStatement ps =
                c.prepareStatement("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY ON) " + sql.jdbc())) {
            int i = 1;
            for (String parameter : sql.parameters()) {
                ps.setInt(i++, "days".equals(parameter) ? 7 : 10_000);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    plan.add(rs.getString(1));
                }
            }
        } finally {
            c.rollback();
            c.setAutoCommit(true);
        }
        return plan;
    }

    private static long size(Statement s, String table) throws Exception {
        try (ResultSet rs = s.executeQuery("SELECT pg_total_relation_size('" + table + "')")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long dead(Statement s, String table) throws Exception {
        // the statistics collector reports with a delay: read what it has now
        s.execute("SELECT pg_stat_force_next_flush()");
        try (ResultSet rs =
                s.executeQuery("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = '" + table + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
