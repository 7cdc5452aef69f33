package org.senproxy.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.postgresql.ds.PGSimpleDataSource;
import org.senproxy.db.ProxySchema;
import org.senproxy.inbox.InboxRow;
import org.senproxy.inbox.SinkRecords;
import org.senproxy.outbox.SourceKeysAccess;
import org.senproxy.senml.Measurement;
import org.senproxy.senml.Senml;

/**
 * The ceiling of the database, the other half of the federation's cost: the two rows per record that the scenario
 * writes, and only those, in the same PostgreSQL server, with no proxy and no XMPP. One thread takes each pack's source
 * keys in A's database (the proxy's own statement, {@code SourceKeys}: deduplication and Quoalise history), one
 * transaction per pack; a second thread hands each pack to the proxy's own postgres-sink route
 * (connectors/postgres-sink.camel.yaml, in a Camel context of its own on B's database), one statement per pack, as B
 * does. What the proxies write once per message (outbox, inbox, audit) is left out: it is a lower bound of a durable
 * federation's database work.
 */
final class RowsBaseline {

    /**
     * Ticks measured over the same seconds as the records: this JVM's, PostgreSQL's (its backends included), the
     * machine's.
     */
    record Result(int pack, double seconds, long records, long cpuTicks, long postgresTicks, long machineTicks) {
        double recordsPerSecond() {
            return records / seconds;
        }
    }

    private RowsBaseline() {}

    /** @param postgresPid the postmaster, whose process tree's CPU is counted while the two connections are open */
    static Result run(String dbA, String dbB, long postgresPid, int pack, int warmupSeconds, int seconds)
            throws Exception {
        PGSimpleDataSource sourceKeys = new PGSimpleDataSource(); // A's schema, for its source_record table
        sourceKeys.setURL(dbA);
        sourceKeys.setUser("postgres");
        ProxySchema.migrate(sourceKeys, ProxySchema.DEFAULT);
        try (HikariDataSource sinkDatabase = pool(dbB);
                DefaultCamelContext sinkRoutes = sinkRoutes(sinkDatabase)) {
            return run(dbA, sinkRoutes.createProducerTemplate(), postgresPid, pack, warmupSeconds, seconds);
        }
    }

    private static Result run(
            String dbA, ProducerTemplate sinkRoute, long postgresPid, int pack, int warmupSeconds, int seconds)
            throws Exception {
        BlockingQueue<List<Measurement>> taken = new ArrayBlockingQueue<>(4);
        AtomicLong stored = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds + seconds);
        Thread sink = new Thread(() -> sink(sinkRoute, taken, stored, end), "rows-baseline-sink");
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
                List<Measurement> fresh = SourceKeysAccess.takeNew(
                        a,
                        "bench-rows-source",
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
            Result result = new Result(
                    pack,
                    took,
                    count,
                    ProcessStats.cpuTicks(self) - startTicks,
                    ProcessStats.treeCpuTicks(postgresPid) - startPostgres,
                    ProcessStats.machineBusyTicks() - startMachine);
            sink.join(TimeUnit.SECONDS.toMillis(30));
            return result;
        }
    }

    /** connectors/postgres-sink.camel.yaml on B's database, its table made. */
    private static DefaultCamelContext sinkRoutes(DataSource database) throws Exception {
        DefaultCamelContext context = new DefaultCamelContext();
        context.getRegistry().bind("dataSource", database);
        PluginHelper.getRoutesLoader(context)
                .loadRoutes(
                        ResourceHelper.resolveMandatoryResource(context, "file:connectors/postgres-sink.camel.yaml"));
        context.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!hasTable(database)) { // postgres-sink-init creates it once started
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("postgres-sink-init did not create the measurement table");
            }
            Thread.sleep(50);
        }
        return context;
    }

    /** Whether the table is there, on a connection given back at once (the pool has one, for the route too). */
    private static boolean hasTable(DataSource database) throws Exception {
        try (Connection c = database.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT to_regclass('measurement') IS NOT NULL")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    private static HikariDataSource pool(String url) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername("postgres");
        config.setMaximumPoolSize(1);
        return new HikariDataSource(config);
    }

    private static void sink(
            ProducerTemplate sinkRoute, BlockingQueue<List<Measurement>> taken, AtomicLong stored, long end) {
        try {
            while (System.nanoTime() < end) {
                List<Measurement> pack = taken.poll(100, TimeUnit.MILLISECONDS);
                if (pack == null) {
                    continue;
                }
                String id = UUID.randomUUID().toString();
                sinkRoute.sendBody(
                        "direct:postgres-sink",
                        SinkRecords.of(new InboxRow(0, "bench-rows-a@localhost", id, id, null, pack.size(), 0, pack)));
                stored.addAndGet(pack.size());
            }
        } catch (Exception e) {
            e.printStackTrace();
        }
    }
}
