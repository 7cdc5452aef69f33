package org.senproxy.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;
import org.senproxy.connectors.SqlColumns;
import org.senproxy.inbox.InboxRow;
import org.senproxy.inbox.SinkRecords;
import org.senproxy.outbox.SourceKeysAccess;
import org.senproxy.senml.Measurement;
import org.senproxy.senml.Senml;

/**
 * The ceiling of the database, the other half of the federation's cost: the two rows per record that the scenario
 * writes, and only those, in the same PostgreSQL server, with no proxy and no XMPP. One thread takes each pack's source
 * keys in A's database (the proxy's own statement, {@code SourceKeys}: deduplication and Quoalise history), one
 * transaction per pack; a second thread writes the pack's rows into B's sink table (postgres-sink's statement over
 * {@link SqlColumns}), one transaction per pack, as B does. What the proxies write once per message (outbox, inbox,
 * audit) is left out: it is a lower bound of a durable federation's database work.
 */
final class RowsBaseline {

    /** Ticks measured over the same seconds as the records: this JVM's, PostgreSQL's (its backends included), the machine's. */
    record Result(int pack, double seconds, long records, long cpuTicks, long postgresTicks, long machineTicks) {
        double recordsPerSecond() {
            return records / seconds;
        }
    }

    /** connectors/postgres-sink.camel.yaml's table and statement (the route writes them in its own YAML). */
    private static final String SINK_TABLE = "CREATE TABLE IF NOT EXISTS measurement (sender text NOT NULL,"
            + " message_id text NOT NULL, name text NOT NULL, unit text, time timestamptz NOT NULL,"
            + " value double precision, string_value text, bool_value boolean, data_value text, sum double precision,"
            + " duration_s double precision, stored_at timestamptz NOT NULL DEFAULT now(),"
            + " PRIMARY KEY (sender, message_id, name, time))";
    private static final String SINK_INSERT = "INSERT INTO measurement (sender, message_id, name, unit, time, value,"
            + " string_value, bool_value, data_value, sum, duration_s) SELECT * FROM unnest(?::text[], ?::text[],"
            + " ?::text[], ?::text[], ?::timestamptz[], ?::float8[], ?::text[], ?::boolean[], ?::text[], ?::float8[],"
            + " ?::float8[]) ON CONFLICT DO NOTHING";
    private static final List<String> SINK_COLUMNS = List.of("sender", "message_id", "name", "unit", "time", "value",
            "string_value", "bool_value", "data_value", "sum", "duration_s");

    private RowsBaseline() {
    }

    /** @param postgresPid the postmaster, whose process tree's CPU is counted while the two connections are open */
    static Result run(String dbA, String dbB, long postgresPid, int pack, int warmupSeconds, int seconds)
            throws Exception {
        for (String db : List.of(dbA, dbB)) {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setURL(db);
            ds.setUser("postgres");
            Flyway.configure().dataSource(ds).load().migrate();
        }
        try (Connection b = DriverManager.getConnection(dbB, "postgres", ""); Statement s = b.createStatement()) {
            s.execute(SINK_TABLE);
        }
        BlockingQueue<List<Measurement>> taken = new ArrayBlockingQueue<>(4);
        AtomicLong stored = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds + seconds);
        Thread sink = new Thread(() -> sink(dbB, taken, stored, end), "rows-baseline-sink");
        sink.start();
        long self = ProcessHandle.current().pid();
        long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds);
        long startStored = -1;
        long startNanos = 0;
        long startTicks = 0;
        long startPostgres = 0;
        long startMachine = 0;
        BenchRecords records = new BenchRecords("urn:dev:bench:rows:");
        try (Connection a = DriverManager.getConnection(dbA, "postgres", "")) {
            a.setAutoCommit(false);
            while (System.nanoTime() < end) {
                if (startStored < 0 && System.nanoTime() >= warmupEnd) {
                    startStored = stored.get();
                    startNanos = System.nanoTime();
                    startTicks = ProcessStats.cpuTicks(self);
                    startPostgres = ProcessStats.treeCpuTicks(postgresPid);
                    startMachine = ProcessStats.machineBusyTicks();
                }
                List<Measurement> fresh = SourceKeysAccess.takeNew(a, "bench-rows-source",
                        Senml.resolve(Senml.parseJson(BenchRecords.pack(records.next(pack))), 0));
                a.commit();
                while (!taken.offer(fresh, 100, TimeUnit.MILLISECONDS) && System.nanoTime() < end) {
                    if (!sink.isAlive()) {
                        throw new IllegalStateException("the sink thread stopped: see the output above");
                    }
                }
            }
            // measured while both connections are open, as the variants measure with the proxies' connections open
            long count = stored.get() - startStored;
            double took = (System.nanoTime() - startNanos) / 1e9;
            Result result = new Result(pack, took, count, ProcessStats.cpuTicks(self) - startTicks,
                    ProcessStats.treeCpuTicks(postgresPid) - startPostgres,
                    ProcessStats.machineBusyTicks() - startMachine);
            sink.join(TimeUnit.SECONDS.toMillis(30));
            return result;
        }
    }

    private static void sink(String dbB, BlockingQueue<List<Measurement>> taken, AtomicLong stored, long end) {
        try (Connection b = DriverManager.getConnection(dbB, "postgres", "");
             PreparedStatement insert = b.prepareStatement(SINK_INSERT)) {
            b.setAutoCommit(false);
            while (System.nanoTime() < end) {
                List<Measurement> pack = taken.poll(100, TimeUnit.MILLISECONDS);
                if (pack == null) {
                    continue;
                }
                String id = UUID.randomUUID().toString();
                Map<String, Object> columns = SqlColumns.of(SinkRecords.of(
                        new InboxRow(0, "bench-rows-a@localhost", id, id, null, pack.size(), 0, pack)));
                for (int i = 0; i < SINK_COLUMNS.size(); i++) {
                    insert.setObject(i + 1, columns.get(SINK_COLUMNS.get(i)));
                }
                insert.executeUpdate();
                b.commit();
                stored.addAndGet(pack.size());
            }
        } catch (Exception e) {
            e.printStackTrace();
        }
    }
}
