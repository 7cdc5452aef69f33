package org.senproxy.bench;

import java.io.StringReader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * The database's ceiling at best practice (issue 22): the scenario's two rows per record written the fastest way
 * PostgreSQL offers, {@code COPY} (pgjdbc's {@link CopyManager}, text format) in large transactions, no
 * deduplication (or, {@code idempotent}, through a staging table and {@code ON CONFLICT DO NOTHING}): A's source keys
 * ({@code source_record}: source, name, time_us, the record's SenML; taken_at its default) on one thread and B's
 * sink rows ({@code measurement}: sender, message_id, name, unit, time, value; stored_at its default) on another, {@code bench.copy.transaction-records} records per transaction in each
 * database. {@link RowsBaseline} writes the same rows with the proxies' own statements; this one says how far those
 * statements are from what the server can take. Both databases must hold their tables already (RowsBaseline's).
 */
final class CopyBaseline {

    private CopyBaseline() {}

    /** Ticks over the measured seconds: this JVM's, PostgreSQL's (its backends included), the machine's. */
    static RowsBaseline.Result run(
            String dbA,
            String dbB,
            long postgresPid,
            int perTransaction,
            int warmupSeconds,
            int seconds,
            boolean idempotent)
            throws Exception {
        long start = System.nanoTime();
        long warmEnd = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
        long end = warmEnd + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLong keys = new AtomicLong();
        AtomicLong sinkRows = new AtomicLong();
        // each side its own records, the same kind and as many: no lock between the two threads
        Thread a = new Thread(
                () -> copyLoop(dbA, new BenchRecords(prefix(idempotent)), perTransaction, end, keys, true, idempotent),
                "copy-baseline-a");
        Thread b = new Thread(
                () -> copyLoop(
                        dbB, new BenchRecords(prefix(idempotent)), perTransaction, end, sinkRows, false, idempotent),
                "copy-baseline-b");
        a.start();
        b.start();
        while (System.nanoTime() < warmEnd) {
            Thread.sleep(10);
        }
        long self = ProcessHandle.current().pid();
        long keys0 = keys.get();
        long rows0 = sinkRows.get();
        long t0 = System.nanoTime();
        long cpu0 = ProcessStats.cpuTicks(self);
        long pg0 = ProcessStats.treeCpuTicks(postgresPid);
        long machine0 = ProcessStats.machineBusyTicks();
        while (System.nanoTime() < end) {
            Thread.sleep(10);
        }
        // a record counts when both of its rows are committed: the slower of the two sides
        long count = Math.min(keys.get() - keys0, sinkRows.get() - rows0);
        RowsBaseline.Result result = new RowsBaseline.Result(
                perTransaction,
                (System.nanoTime() - t0) / 1e9,
                count,
                ProcessStats.cpuTicks(self) - cpu0,
                ProcessStats.treeCpuTicks(postgresPid) - pg0,
                ProcessStats.machineBusyTicks() - machine0);
        a.join(TimeUnit.SECONDS.toMillis(60));
        b.join(TimeUnit.SECONDS.toMillis(60));
        return result;
    }

    /** The records of a run: a name of their own, so that the second run's are not conflicts with the first's. */
    private static String prefix(boolean idempotent) {
        return idempotent ? "urn:dev:bench:copy-idempotent:" : "urn:dev:bench:copy:";
    }

    /**
     * COPY of {@code perTransaction} records, commit, again until {@code end}; counts the committed records. With
     * {@code idempotent}, the COPY goes to a staging table (temporary, emptied at each commit) and an {@code INSERT ...
     * SELECT ... ON CONFLICT DO NOTHING} moves its rows: what a writer must do that may be given a record again (COPY
     * itself has no ON CONFLICT).
     */
    private static void copyLoop(
            String url,
            BenchRecords records,
            int perTransaction,
            long end,
            AtomicLong committed,
            boolean keys,
            boolean idempotent) {
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
                Statement s = c.createStatement()) {
            String table = keys ? "source_record" : "measurement";
            String columns = keys ? "source, name, time_us, record" : "sender, message_id, name, unit, time, value";
            if (idempotent) {
                s.execute("CREATE TEMPORARY TABLE copy_stage (LIKE " + table + " INCLUDING DEFAULTS)"
                        + " ON COMMIT DELETE ROWS");
            }
            c.setAutoCommit(false);
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            String sql = "COPY " + (idempotent ? "copy_stage" : table) + " (" + columns + ") FROM STDIN";
            String move = "INSERT INTO " + table + " (" + columns + ") SELECT " + columns
                    + " FROM copy_stage ON CONFLICT DO NOTHING";
            long message = 0;
            while (System.nanoTime() < end) {
                StringBuilder text = new StringBuilder(perTransaction * 120);
                // messages of 250 records, as the proxies' (their message id is part of the sink's key)
                for (int done = 0; done < perTransaction; done += 250) {
                    List<String> pack = records.next(Math.min(250, perTransaction - done));
                    String id = "copy-" + Thread.currentThread().getName() + "-" + message++;
                    for (String r : pack) {
                        row(text, r, id, keys);
                    }
                }
                copy.copyIn(sql, new StringReader(text.toString()));
                if (idempotent) {
                    s.executeUpdate(move);
                }
                c.commit();
                committed.addAndGet(perTransaction);
            }
        } catch (Exception e) {
            e.printStackTrace();
        }
    }

    /** One row of COPY's text format from a BenchRecords record ({"n":...,"u":"W","v":...,"t":s.micros}). */
    private static void row(StringBuilder text, String record, String messageId, boolean keys) {
        String name = field(record, "\"n\":\"", "\"");
        String value = field(record, "\"v\":", ",");
        String t = field(record, "\"t\":", "}");
        int dot = t.indexOf('.');
        long micros = Long.parseLong(t.substring(0, dot)) * 1_000_000L + Long.parseLong(t.substring(dot + 1));
        if (keys) {
            text.append("bench-copy-source\t")
                    .append(name)
                    .append('\t')
                    .append(micros)
                    .append("\t[")
                    .append(record)
                    .append("]\n");
        } else {
            text.append("bench-copy-a@localhost\t")
                    .append(messageId)
                    .append('\t')
                    .append(name)
                    .append("\tW\t")
                    .append(java.time.Instant.ofEpochSecond(micros / 1_000_000L, (micros % 1_000_000L) * 1000))
                    .append('\t')
                    .append(value)
                    .append('\n');
        }
    }

    private static String field(String record, String after, String until) {
        int from = record.indexOf(after) + after.length();
        return record.substring(from, record.indexOf(until, from));
    }
}
