package org.senproxy.bench;

import static org.senproxy.bench.ProcessStats.TICKS_PER_SECOND;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.senproxy.testing.Consented;
import org.senproxy.testing.MosquittoTestBroker;
import org.senproxy.testing.ProxyProcess;
import org.senproxy.testing.TestPostgres;
import org.senproxy.testing.XmppTestServer;

/**
 * The throughput benchmark (issue 8): records enter proxy A from a local system (an MQTT gateway through Mosquitto, or
 * an HTTP API that A polls), go through A's outbox, XMPP (the Debian ejabberd that .ci/ejabberd-setup.sh installs, run
 * as a node of the benchmark's own: {@link BenchEjabberd}), B's inbox, and into B's PostgreSQL sink (connectors/postgres-sink). Both proxies run as processes of their own from the
 * packaged jar ({@link ProxyProcess}), each with its own database on one PostgreSQL server (durable: fsync and
 * synchronous commit on). In the same run, a raw Smack client sends the same stanzas to the same server, with no
 * database: the ceiling of the XMPP hop.
 *
 * <p>For each source variant: a throughput phase, closed loop (the source keeps at most {@code bench.window} records
 * not yet stored by B's sink; after {@code bench.warmup-seconds}, {@code bench.seconds} are measured), then a latency
 * phase, open loop at {@code bench.latency-rate} records/s. It prints records/s end to end, latency from the records'
 * own time (set when made) to the sink's commit ({@code measurement.stored_at}), peak heap (GC log) and resident memory
 * of each proxy, CPU time of each process, and bytes on the wire (the kernel's TCP counters of the XMPP connections).
 *
 * <p>Run it with {@code bench/run.sh} (or {@code mvn -Pbench package}); settings are system properties
 * ({@code -Dbench.seconds=300}), listed in docs/benchmarks.md. The report is printed and written to
 * target/bench/report.md. Needs root (ejabberdctl, ss -p), ejabberd set up by .ci/ejabberd-setup.sh, and mosquitto.
 */
public final class ThroughputBenchmark {

    private static final Path OUT = Path.of("target", "bench");
    private static final String TOPIC = "bench/senml";

    private final List<String> variants =
            List.of(System.getProperty("bench.variants", "mqtt,http").split(","));
    private final int seconds = Integer.getInteger("bench.seconds", 60);
    private final int warmupSeconds = Integer.getInteger("bench.warmup-seconds", 15);
    private final int window = Integer.getInteger("bench.window", 20_000);
    private final int mqttPack = Integer.getInteger("bench.mqtt.pack", 100);
    private final int httpMaxPerPoll = Integer.getInteger("bench.http.max-per-poll", 2500);
    private final int httpPollMillis = Integer.getInteger("bench.http.poll-interval-ms", 100);
    private final int latencyRate = Integer.getInteger("bench.latency-rate", 1000);
    private final int latencySeconds = Integer.getInteger("bench.latency-seconds", 30);
    private final int latencyPack = Integer.getInteger("bench.latency.pack", 10);
    private final int baselineSeconds = Integer.getInteger("bench.baseline-seconds", 20);
    private final int drainSeconds = Integer.getInteger("bench.drain-seconds", 180);
    /**
     * Keys prefilled in A's source_record over 36 days before the proxies start (issue 22), one run of each variant per
     * entry, e.g. {@code 0,10000000}; 0: none.
     */
    private final List<Long> prefillSourceRecords = Stream.of(
                    System.getProperty("bench.prefill.source-records", "0").split(","))
            .map(String::trim)
            .map(Long::parseLong)
            .toList();
    /** Delivered rows put in B's inbox before the proxies start, for a run of their own (issue 22); 0: none. */
    private final long prefillInboxRows = Long.getLong("bench.prefill.inbox-rows", 0L);
    /**
     * Rows of A's outbox backlog for B, written while B is suspended (a run of its own, issue 22), then B comes back; 0:
     * none.
     */
    private final long backlogRows = Long.getLong("bench.backlog.outbox-rows", 0L);

    private final int backlogRecordsPerRow = Integer.getInteger("bench.backlog.records-per-row", 10);
    private final int backlogMaxSeconds = Integer.getInteger("bench.backlog.max-seconds", 900);

    /** What a variant's run starts from: keys of history in A, delivered rows in B's inbox, a backlog in A's outbox. */
    private record Scenario(long keys, long inboxRows, long backlogRows, int soakSeconds) {
        Scenario(long keys, long inboxRows, long backlogRows) {
            this(keys, inboxRows, backlogRows, 0);
        }

        String label() {
            if (soakSeconds > 0) {
                return String.format("soak of %d s", soakSeconds);
            }
            if (keys > 0) {
                return String.format("%,d keys of history", keys);
            }
            if (inboxRows > 0) {
                return String.format("%,d delivered rows in B's inbox", inboxRows);
            }
            if (backlogRows > 0) {
                return String.format("%,d outbox rows for B after an absence", backlogRows);
            }
            return "empty database";
        }

        String database(String variant) {
            return variant
                    + (keys > 0 ? "_k" + keys : "")
                    + (inboxRows > 0 ? "_i" + inboxRows : "")
                    + (backlogRows > 0 ? "_o" + backlogRows : "")
                    + (soakSeconds > 0 ? "_soak" : "");
        }
    }

    /** Seconds of a soak at bench.latency-rate with A's and B's retention running (a run of its own); 0: none. */
    private final int soakSeconds = Integer.getInteger("bench.soak-seconds", 0);
    /** The proxies' retention interval during the soak (senproxy.retention.interval-ms). */
    private final int soakRetentionMillis = Integer.getInteger("bench.soak.retention-interval-ms", 60_000);
    /**
     * After the soak's second minute, fill the band of finished outbox and inbox rows that the retention's horizon
     * crosses during the soak, so that it deletes what a proxy running for longer than done-days would
     * ({@link SoakHorizon}); false: fresh databases, nothing old enough to delete.
     */
    private final boolean soakHorizonFill = Boolean.parseBoolean(System.getProperty("bench.soak.horizon-fill", "true"));
    /** The proxies' senproxy.retention.done-days during the soak: the default. */
    private static final int SOAK_DONE_DAYS = 7;

    /** Records per transaction of the COPY ceiling ({@link CopyBaseline}). */
    private final int copyPerTransaction = Integer.getInteger("bench.copy.transaction-records", 10_000);

    private final List<String> jvm =
            List.of(System.getProperty("bench.jvm", "-Xmx256m").trim().split("\\s+"));
    private final boolean jfr = Boolean.getBoolean("bench.jfr");
    /** More lines of the benchmark's mosquitto.conf, separated by ';' (e.g. max_inflight_messages 100). */
    private final List<String> mosquittoSettings =
            List.of(System.getProperty("bench.mosquitto", "").split(";"));
    /** The largest pack the proxies send (senproxy.outbox.max-records-per-message). */
    private final int maxPerMessage =
            Integer.parseInt(proxySettings().getOrDefault("senproxy.outbox.max-records-per-message", "250"));

    private final StringBuilder report = new StringBuilder();
    private final Map<String, String> passwords = new LinkedHashMap<>();
    private final Map<Integer, RawSmackBaseline.Result> baselines = new TreeMap<>();
    /** Machine CPU ticks per record of each ceiling (the XMPP hop by pack size; the database's rows). */
    private final Map<Integer, Double> xmppTicksPerRecord = new TreeMap<>();

    private double rowsTicksPerRecord;
    /** Machine CPU ticks per record of the COPY ceiling, and its records/s. */
    private double copyTicksPerRecord;

    private double copyRate;

    /** CPU ticks per record of the ceilings' own processes (client JVM and ejabberd; client JVM and PostgreSQL). */
    private final Map<Integer, Double> xmppOwnTicksPerRecord = new TreeMap<>();

    private double copyOwnTicksPerRecord;

    /** One line per variant run, for the summary that compares them (issue 22). */
    private record Scale(
            String variant,
            String scenario,
            boolean empty,
            double rate,
            double p99,
            double p99Retention,
            double p99DuringRetention,
            double maxDuringRetention,
            long retentionKeys,
            double retentionSeconds,
            double historyMillis,
            long bytesPerKey,
            double proxiesMicrosPerRecord,
            double machineMicrosPerRecord) {}

    private final List<Scale> scales = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        new ThroughputBenchmark().run();
        // Smack, Paho and the embedded PostgreSQL leave threads behind
        System.exit(0);
    }

    private void run() throws Exception {
        Files.createDirectories(OUT);
        line("# sen-proxy throughput benchmark, " + Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        line("");
        machine();
        BenchEjabberd xmpp = new BenchEjabberd(Integer.getInteger("bench.xmpp-port", 5322));
        xmpp.start();
        try {
            run(xmpp);
        } finally {
            xmpp.stop();
        }
        Files.writeString(OUT.resolve("report.md"), report);
        System.out.println("\nReport written to " + OUT.resolve("report.md"));
    }

    private void run(BenchEjabberd xmpp) throws Exception {
        line("- ejabberd " + command("dpkg-query", "-W", "-f=${Version}", "ejabberd") + ", a node of the benchmark's"
                + " own (" + BenchEjabberd.NODE + " on port " + xmpp.port() + ", .ci/ejabberd.yml: "
                + shaper() + ")");
        for (String user : List.of("bench-a", "bench-b", "bench-raw-a", "bench-raw-b")) {
            String password = user + "-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
            xmpp.register(user, password);
            passwords.put(user, password);
        }
        ECKey keyA = new ECKeyGenerator(Curve.P_256).keyID("bench-a-1").generate();
        Path keyFile = Files.writeString(OUT.resolve("bench-a-key.jwk"), keyA.toJSONString());
        Path pgData = OUT.resolve("pgdata");
        deleteTree(pgData);
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(pgData)
                .setCleanDataDirectory(true)
                // durable, as in service (the embedded server's defaults turn both off)
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("max_connections", "100")
                // where PostgreSQL's time goes, statement by statement (the report's table)
                .setServerConfig("shared_preload_libraries", "pg_stat_statements")
                .start()) {
            try (Connection c = postgres.getPostgresDatabase().getConnection();
                    Statement s = c.createStatement()) {
                s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            }
            try (Connection c = postgres.getPostgresDatabase().getConnection();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT version(), current_setting('fsync'),"
                            + " current_setting('synchronous_commit'), current_setting('shared_buffers')")) {
                rs.next();
                line("- PostgreSQL: " + rs.getString(1).replaceAll(" on x86_64.*", "") + ", fsync " + rs.getString(2)
                        + ", synchronous_commit " + rs.getString(3) + ", shared_buffers " + rs.getString(4)
                        + ", data in " + pgData + " (one server, one database per proxy)");
            }
            line("- Proxy JVM: " + String.join(" ", jvm) + (jfr ? " + JFR" : "") + "; proxy settings: defaults"
                    + (proxySettings().isEmpty() ? "" : " except " + proxySettings()));
            line("");

            for (int pack : packSizes()) {
                baseline(xmpp, keyA, pack);
            }
            rowsBaseline(postgres, maxPerMessage);
            MosquittoTestBroker mosquitto =
                    variants.contains("mqtt") ? new MosquittoTestBroker(null, null, mosquittoSettings) : null;
            try {
                List<Scenario> scenarios = new ArrayList<>();
                for (long keys : prefillSourceRecords) {
                    scenarios.add(new Scenario(keys, 0, 0));
                }
                if (prefillInboxRows > 0) {
                    scenarios.add(new Scenario(0, prefillInboxRows, 0));
                }
                if (backlogRows > 0) {
                    scenarios.add(new Scenario(0, 0, backlogRows));
                }
                if (soakSeconds > 0) {
                    scenarios.add(new Scenario(0, 0, 0, soakSeconds));
                }
                for (String variant : variants) {
                    for (Scenario scenario : scenarios) {
                        try {
                            variant(variant, scenario, xmpp, postgres, mosquitto, keyA, keyFile);
                        } catch (Exception e) {
                            // the other runs' figures still count: said in the report, the cause on stderr
                            e.printStackTrace();
                            line("- **" + variant + ", " + scenario.label() + ": FAILED** (" + e + ")");
                            line("");
                        }
                    }
                }
                summary();
            } finally {
                if (mosquitto != null) {
                    mosquitto.close();
                }
            }
        }
    }

    /**
     * The pack sizes the variants send, each measured once against raw Smack: the outbox's message size
     * (senproxy.outbox.max-records-per-message) for both, since A gathers the MQTT messages that arrive together into
     * outbox messages of up to that size (routes/source-gather.camel.yaml; until run 6, one outbox message per MQTT
     * message, and the MQTT ceiling was measured at the MQTT message's size).
     */
    private List<Integer> packSizes() {
        return List.of(maxPerMessage);
    }

    // ---- the ceiling: raw Smack

    private void baseline(XmppTestServer xmpp, ECKey key, int pack) throws Exception {
        System.out.printf(
                "baseline: raw Smack, %d records per message, %d s + %d s warm-up...%n", pack, baselineSeconds, 5);
        long machine0 = ProcessStats.machineBusyTicks();
        long ejabberd = ejabberdPid();
        long ej0 = ProcessStats.cpuTicks(ejabberd);
        RawSmackBaseline.Result r = RawSmackBaseline.run(
                xmpp,
                "bench-raw-a",
                passwords.get("bench-raw-a"),
                "bench-raw-b",
                passwords.get("bench-raw-b"),
                key,
                pack,
                200,
                5,
                baselineSeconds,
                ejabberd);
        long ej = ProcessStats.cpuTicks(ejabberd) - ej0;
        long machine = ProcessStats.machineBusyTicks() - machine0;
        baselines.put(pack, r);
        // the whole machine's CPU per record acknowledged, over the measured seconds: what the XMPP hop alone costs
        xmppTicksPerRecord.put(pack, (double) r.machineTicks() / r.records());
        // its own processes only (client JVM, ejabberd), whatever else the machine runs
        xmppOwnTicksPerRecord.put(pack, (double) (r.cpuTicks() + r.serverTicks()) / r.records());
        line(String.format("## Ceiling: raw Smack, %d records per message%n", pack));
        line(String.format(
                "- %,.0f records/s (%,.0f messages/s) over %.0f s, %,d records; window 200 messages"
                        + " waiting for their ack",
                r.recordsPerSecond(), r.messages() / r.seconds(), r.seconds(), r.records()));
        line(String.format(
                "- stanza: %.0f characters of XML per record; wire (TLS, both sessions, both directions):"
                        + " %.0f bytes per record",
                r.stanzaCharsPerRecord(), (double) r.wire().total() / r.records()));
        line(String.format(
                "- CPU (%% of one core): client JVM %.0f%%, ejabberd %.0f%%; machine busy %.0f%% of %d" + " cores",
                pct(r.cpuTicks(), r.seconds()),
                pct(ej, r.seconds() + 5),
                pct(machine, r.seconds() + 5) / Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().availableProcessors()));
        line("");
    }

    // ---- the ceiling of the database: the scenario's two rows per record, no proxy, no XMPP

    private void rowsBaseline(EmbeddedPostgres postgres, int pack) throws Exception {
        System.out.printf(
                "baseline: the database's rows alone, %d records per transaction, %d s + %d s warm-up...%n",
                pack, baselineSeconds, 5);
        String dbA = database(postgres, "bench_rows_a");
        String dbB = database(postgres, "bench_rows_b");
        RowsBaseline.Result r = RowsBaseline.run(dbA, dbB, postgresPid(), pack, 5, baselineSeconds);
        rowsTicksPerRecord = (double) r.machineTicks() / r.records();
        line(String.format(
                "## Ceiling: the database alone, the scenario's two rows per record, %d records per" + " transaction%n",
                pack));
        line(String.format(
                "- %,.0f records/s over %.0f s, %,d records: A's source keys (deduplication and Quoalise"
                        + " history) and B's sink rows, each pack in one transaction per database, with the proxies' own"
                        + " statements (RowsBaseline); no outbox, inbox or audit rows",
                r.recordsPerSecond(), r.seconds(), r.records()));
        line(String.format(
                "- CPU (%% of one core): client JVM %.0f%%, PostgreSQL %.0f%%; machine busy %.0f%% of %d" + " cores",
                pct(r.cpuTicks(), r.seconds()),
                pct(r.postgresTicks(), r.seconds()),
                pct(r.machineTicks(), r.seconds()) / Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().availableProcessors()));
        line(String.format(
                "- both ceilings on one machine, each paying its machine CPU per record (%.0f µs for the XMPP"
                        + " hop, %.0f µs for the rows): **%,.0f records/s**, what a federation doing nothing else could reach"
                        + " here",
                1e6 * xmppTicksPerRecord.get(pack) / ProcessStats.TICKS_PER_SECOND,
                1e6 * rowsTicksPerRecord / ProcessStats.TICKS_PER_SECOND,
                combinedCeiling(pack)));
        line("");

        System.out.printf(
                "baseline: the same rows by COPY, %d records per transaction, %d s + %d s warm-up...%n",
                copyPerTransaction, baselineSeconds, 5);
        RowsBaseline.Result copy =
                CopyBaseline.run(dbA, dbB, postgresPid(), copyPerTransaction, 5, baselineSeconds, false);
        copyTicksPerRecord = (double) copy.machineTicks() / copy.records();
        copyRate = copy.recordsPerSecond();
        copyOwnTicksPerRecord = (double) (copy.cpuTicks() + copy.postgresTicks()) / copy.records();
        line(String.format(
                "## Ceiling at best practice: the same two rows per record by COPY, %,d records per transaction%n",
                copyPerTransaction));
        line(String.format(
                "- %,.0f records/s over %.0f s, %,d records: A's source keys and B's sink rows written with pgjdbc's"
                        + " CopyManager (text format), no deduplication, one transaction of %,d records at a time in"
                        + " each database on two threads (CopyBaseline); %.1fx the proxies' own statements",
                copy.recordsPerSecond(),
                copy.seconds(),
                copy.records(),
                copyPerTransaction,
                copy.recordsPerSecond() / r.recordsPerSecond()));
        line(String.format(
                "- CPU (%% of one core): client JVM %.0f%%, PostgreSQL %.0f%%; machine busy %.0f%% of %d cores;"
                        + " machine CPU per record %.1f µs (the proxies' statements: %.1f µs)",
                pct(copy.cpuTicks(), copy.seconds()),
                pct(copy.postgresTicks(), copy.seconds()),
                pct(copy.machineTicks(), copy.seconds()) / Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().availableProcessors(),
                1e6 * copyTicksPerRecord / ProcessStats.TICKS_PER_SECOND,
                1e6 * rowsTicksPerRecord / ProcessStats.TICKS_PER_SECOND));
        line(String.format(
                "- the XMPP hop and COPY's rows on one machine: **%,.0f records/s** (%.0f µs of machine CPU per record)",
                copyCeiling(pack), 1e6 * ceilingTicksPerRecord(pack) / ProcessStats.TICKS_PER_SECOND));

        // the same, idempotent: what the ceiling costs once a record given twice must be stored once
        System.out.printf(
                "baseline: COPY through a staging table, ON CONFLICT DO NOTHING, %d s + %d s warm-up...%n",
                baselineSeconds, 5);
        RowsBaseline.Result once =
                CopyBaseline.run(dbA, dbB, postgresPid(), copyPerTransaction, 5, baselineSeconds, true);
        line(String.format(
                "- the same rows idempotent (COPY into a staging table, then `INSERT ... SELECT ... ON CONFLICT DO"
                        + " NOTHING`, as any writer must that may be given a record twice; COPY has no ON CONFLICT):"
                        + " %,.0f records/s, machine CPU per record %.1f µs (client JVM %.0f%%, PostgreSQL %.0f%% of a"
                        + " core)",
                once.recordsPerSecond(),
                1e6 * once.machineTicks() / once.records() / ProcessStats.TICKS_PER_SECOND,
                pct(once.cpuTicks(), once.seconds()),
                pct(once.postgresTicks(), once.seconds())));
        line("");
    }

    /** Machine CPU ticks per record of the XMPP hop and COPY's rows together. */
    private double ceilingTicksPerRecord(int pack) {
        return xmppTicksPerRecord.get(pack) + copyTicksPerRecord;
    }

    /** Records/s of the machine's CPU spent on the XMPP hop and on the rows written by COPY, nothing else. */
    private double copyCeiling(int pack) {
        return Runtime.getRuntime().availableProcessors()
                * (double) ProcessStats.TICKS_PER_SECOND
                / ceilingTicksPerRecord(pack);
    }

    /** Records/s of the machine's CPU spent on the XMPP hop's and the rows' cost per record, nothing else. */
    private double combinedCeiling(int pack) {
        return Runtime.getRuntime().availableProcessors()
                * (double) ProcessStats.TICKS_PER_SECOND
                / (xmppTicksPerRecord.get(pack) + rowsTicksPerRecord);
    }

    // ---- one source variant through two proxies

    private void variant(
            String variant,
            Scenario scenario,
            XmppTestServer xmpp,
            EmbeddedPostgres postgres,
            MosquittoTestBroker mosquitto,
            ECKey keyA,
            Path keyFile)
            throws Exception {
        String source = "bench-" + variant + "-source";
        long keys = scenario.keys();
        String dbA = database(postgres, "bench_" + scenario.database(variant) + "_a");
        String dbB = database(postgres, "bench_" + scenario.database(variant) + "_b");
        federate(dbA, dbB, source, keyA);
        BenchPrefill.History history = new BenchPrefill.History(List.of(), 0, Double.NaN);
        if (keys > 0) {
            System.out.printf("variant %s: prefilling A's source_record with %,d keys...%n", variant, keys);
            double took = BenchPrefill.sourceRecords(dbA, keys);
            // no retention run here: the driver runs one while records flow (the latency phase's second half)
            history = BenchPrefill.report(dbA, keys, took, false);
        }
        if (scenario.inboxRows() > 0) {
            System.out.printf(
                    "variant %s: prefilling B's inbox with %,d delivered rows...%n", variant, scenario.inboxRows());
            history = new BenchPrefill.History(
                    List.of(BenchPrefill.inbox(dbB, "bench-a@localhost", scenario.inboxRows())), 0, Double.NaN);
        }
        Path home = home(variant);

        BenchSources.Source input;
        Map<String, String> settingsA = proxy("bench-a", dbA, home, xmpp);
        settingsA.put("senproxy.connectors", source);
        settingsA.put("senproxy.signing.key-file", keyFile.toAbsolutePath().toString());
        // A's own retention keeps a day more than the driver's (35): the oldest prefilled day is left for the driver's
        // run during the latency phase, not dropped by A's run shortly after start-up
        settingsA.put("senproxy.retention.keys-days", "36");
        if (scenario.soakSeconds() > 0) {
            settingsA.put("senproxy.retention.interval-ms", Integer.toString(soakRetentionMillis));
        }
        int pack;
        if ("mqtt".equals(variant)) {
            settingsA.put("bench-mqtt.broker-url", mosquitto.url());
            settingsA.put("bench-mqtt.topic", TOPIC);
            input = null; // connects once the proxy subscribed
            pack = maxPerMessage;
        } else if ("http".equals(variant)) {
            BenchSources.Http http = new BenchSources.Http(httpMaxPerPoll);
            settingsA.put("bench-http.url", http.url());
            settingsA.put("bench-http.poll-interval-ms", Integer.toString(httpPollMillis));
            input = http;
            pack = maxPerMessage;
        } else {
            throw new IllegalArgumentException("bench.variants: mqtt or http, not " + variant);
        }
        Map<String, String> settingsB = proxy("bench-b", dbB, home, xmpp);
        settingsB.put("senproxy.connectors", "postgres-sink");
        settingsB.put("senproxy.inbox.sink", "postgres-sink");
        settingsB.put("senproxy.signing.required", "true");
        if (scenario.soakSeconds() > 0) {
            settingsB.put("senproxy.retention.interval-ms", Integer.toString(soakRetentionMillis));
        }

        ProxyProcess b = new ProxyProcess(variant + "-b", settingsB, OUT, jvm(variant + "-b"));
        ProxyProcess a = new ProxyProcess(variant + "-a", settingsA, OUT, jvm(variant + "-a"));
        String title = scenario.label() + ", "
                + ("mqtt".equals(variant)
                        ? String.format(
                                "MQTT: a gateway publishes SenML packs of %d records (QoS 1) to Mosquitto;"
                                        + " A's bench-mqtt-source takes them",
                                mqttPack)
                        : String.format(
                                "HTTP poll: A's bench-http-source polls an HTTP API every %d ms, which answers"
                                        + " the records measured since (at most %d)",
                                httpPollMillis, httpMaxPerPoll));
        System.out.println("variant " + variant + ": starting the proxies...");
        try {
            double readyB = start(b);
            double readyA = start(a);
            if ("mqtt".equals(variant)) {
                input = new BenchSources.Mqtt(mosquitto.url(), TOPIC);
            }
            Delivered delivered = new Delivered(b);
            try (BenchSources.Source in = input;
                    delivered) {
                Run run = new Run(in, delivered);
                run.prime(new BenchRecords("urn:dev:bench:" + variant + "-prime:"));
                if (scenario.backlogRows() > 0) {
                    line("## " + title);
                    line("");
                    backlog(run, delivered, dbA, dbB, variant, scenario.backlogRows());
                    return;
                }
                if (scenario.soakSeconds() > 0) {
                    line("## " + title);
                    line("");
                    soak(run, a, b, postgres, dbA, dbB, variant, scenario.soakSeconds());
                    return;
                }

                // throughput: closed loop
                System.out.printf("variant %s: throughput, %d s warm-up + %d s...%n", variant, warmupSeconds, seconds);
                BenchRecords records = new BenchRecords("urn:dev:bench:" + variant + "-throughput:");
                int emitPack = "mqtt".equals(variant) ? mqttPack : 100;
                statementsReset(postgres);
                long storedBefore = delivered.get();
                Usage usage = run.closedLoop(records, emitPack, a, b, mosquitto, xmpp.port());
                List<String> statements = statements(postgres, dbA, dbB, delivered.get() - storedBefore);
                boolean drained = run.drain();
                Percentiles throughputLatency = latency(dbB, records.baseName(), usage.from(), usage.to());

                // latency: open loop
                System.out.printf(
                        "variant %s: latency at %d records/s, %d s...%n", variant, latencyRate, latencySeconds);
                BenchRecords paced = new BenchRecords("urn:dev:bench:" + variant + "-latency:");
                Instant latencyFrom = Instant.now();
                run.openLoop(paced, latencyRate, latencySeconds);
                Instant latencyTo = Instant.now();
                drained &= run.drain();
                Percentiles latency = latency(dbB, paced.baseName(), latencyFrom, latencyTo);

                // latency again, a retention run of A's database (keys-days 35: the oldest prefilled day goes) a third
                // of the way in
                System.out.printf(
                        "variant %s: latency at %d records/s, %d s, retention running...%n",
                        variant, latencyRate, latencySeconds);
                BenchRecords pacedRetention = new BenchRecords("urn:dev:bench:" + variant + "-retention:");
                RetentionRun retention = new RetentionRun(dbA, latencySeconds * 1000L / 3);
                Instant retentionFrom = Instant.now();
                retention.start();
                run.openLoop(pacedRetention, latencyRate, latencySeconds);
                Instant retentionTo = Instant.now();
                retention.join();
                drained &= run.drain();
                Percentiles withRetention = latency(dbB, pacedRetention.baseName(), retentionFrom, retentionTo);
                // the records made while it ran, and in the second after (they queued behind it)
                Percentiles duringRetention = latency(
                        dbB,
                        pacedRetention.baseName(),
                        retention.from(),
                        retention.to().plusSeconds(1));

                Thread.sleep(2000); // the last acks
                long rssA = ProcessStats.statusKib(a.pid(), "VmHWM");
                long rssB = ProcessStats.statusKib(b.pid(), "VmHWM");
                long[] stored = storedCount(dbB);
                dump(
                        dbA,
                        "SELECT message_id, record_count, attempts, status, created_at, sent_at, acked_at FROM outbox"
                                + " ORDER BY id",
                        OUT.resolve(variant + "-a-outbox.csv"));
                dump(
                        dbB,
                        "SELECT message_id, record_count, attempts, status, received_at, delivered_at FROM inbox"
                                + " ORDER BY id",
                        OUT.resolve(variant + "-b-inbox.csv"));
                a.close();
                b.close();
                ProcessStats.Heap heapA = ProcessStats.heap(OUT.resolve(variant + "-a-gc.log"));
                ProcessStats.Heap heapB = ProcessStats.heap(OUT.resolve(variant + "-b-gc.log"));

                RawSmackBaseline.Result ceiling = baselines.get(pack);
                line("## " + title);
                line("");
                history.lines().forEach(this::line); // A's prefilled history, if any (bench.prefill.source-records)
                line(String.format(
                        "- **%,.0f records/s** end to end over %.0f s (%,d records stored by B's sink"
                                + " after %d s of warm-up; window %,d records not yet stored)",
                        usage.rate(), usage.seconds(), usage.records(), warmupSeconds, window));
                line(String.format(
                        "- **%.0f%% of the raw Smack ceiling** (%,.0f records/s at %d records per" + " message)",
                        100 * usage.rate() / ceiling.recordsPerSecond(), ceiling.recordsPerSecond(), pack));
                line(String.format(
                        "- **%.0f%% of both ceilings on one machine** (%,.0f records/s: the XMPP hop and"
                                + " the database's two rows per record)",
                        100 * usage.rate() / combinedCeiling(pack), combinedCeiling(pack)));
                double proxiesMicros = 1e6 * usage.proxyTicks() / ProcessStats.TICKS_PER_SECOND / usage.records();
                double machineMicros = 1e6 * usage.machineTicks() / ProcessStats.TICKS_PER_SECOND / usage.records();
                double ceilingMicros = 1e6 * ceilingTicksPerRecord(pack) / ProcessStats.TICKS_PER_SECOND;
                double ownMicros = 1e6 * usage.ownTicks() / ProcessStats.TICKS_PER_SECOND / usage.records();
                double ceilingOwnMicros =
                        1e6 * (xmppOwnTicksPerRecord.get(pack) + copyOwnTicksPerRecord) / ProcessStats.TICKS_PER_SECOND;
                line(String.format(
                        "- **%.0f%% of the XMPP hop plus the COPY ceiling** (%,.0f records/s; target >= 60%%)",
                        100 * usage.rate() / copyCeiling(pack), copyCeiling(pack)));
                line(String.format(
                        "- CPU per record, the federation's own processes (proxies, ejabberd, PostgreSQL, Mosquitto,"
                                + " driver) against the ceilings' own (raw Smack client and ejabberd; COPY client and"
                                + " PostgreSQL): **%.1f µs against %.1f µs, %.2fx** (target <= 1.5x), of which both"
                                + " proxies %.1f µs; the whole machine (other processes included): %.1f µs against"
                                + " %.1f µs, %.2fx",
                        ownMicros,
                        ceilingOwnMicros,
                        ownMicros / ceilingOwnMicros,
                        proxiesMicros,
                        machineMicros,
                        ceilingMicros,
                        machineMicros / ceilingMicros));
                line(String.format(
                        "- messages: %.1f records per message on average in the throughput phase (B's"
                                + " inbox); A's outbox: %s",
                        averagePack(dbB, usage.from(), usage.to()), outbox(dbA)));
                line(String.format(
                        "- latency, record time to sink commit, during the throughput phase:"
                                + " p50 %s, p95 %s, p99 %s, max %s (%,d records)",
                        ms(throughputLatency.p50()),
                        ms(throughputLatency.p95()),
                        ms(throughputLatency.p99()),
                        ms(throughputLatency.max()),
                        throughputLatency.count()));
                line(String.format(
                        "- **latency at %,d records/s** (open loop, %d records every %d ms, %d s):"
                                + " **p50 %s, p95 %s, p99 %s**, max %s (%,d records)",
                        latencyRate,
                        latencyPack,
                        latencyPack * 1000 / latencyRate,
                        latencySeconds,
                        ms(latency.p50()),
                        ms(latency.p95()),
                        ms(latency.p99()),
                        ms(latency.max()),
                        latency.count()));
                line(String.format(
                        "- **latency at %,d records/s with a retention run** (%d s, the run started %d s in): p50 %s,"
                                + " p95 %s, **p99 %s**, max %s (%,d records); the run: %s in **%.2f s**; records made"
                                + " while it ran and in the second after: p99 %s, max %s (%,d records)",
                        latencyRate,
                        latencySeconds,
                        latencySeconds / 3,
                        ms(withRetention.p50()),
                        ms(withRetention.p95()),
                        ms(withRetention.p99()),
                        ms(withRetention.max()),
                        withRetention.count(),
                        retention.purged(),
                        retention.seconds(),
                        ms(duringRetention.p99()),
                        ms(duringRetention.max()),
                        duringRetention.count()));
                scales.add(new Scale(
                        variant,
                        scenario.label(),
                        scenario.equals(new Scenario(0, 0, 0)),
                        usage.rate(),
                        latency.p99(),
                        withRetention.p99(),
                        duringRetention.p99(),
                        duringRetention.max(),
                        retention.purged().sourceRecord(),
                        retention.seconds(),
                        history.historyMedianMillis(),
                        history.bytesPerKey(),
                        proxiesMicros,
                        machineMicros));
                line(String.format("- start-up to ready: A %.1f s, B %.1f s", readyA, readyB));
                line(String.format(
                        "- memory: A heap peak %d MiB before a collection; after one: median %d MiB,"
                                + " largest %d MiB; %d collections, %.0f ms paused; peak RSS %d MiB",
                        heapA.maxBeforeMib(),
                        heapA.medianAfterMib(),
                        heapA.maxAfterMib(),
                        heapA.collections(),
                        heapA.pauseMillis(),
                        rssA / 1024));
                line(String.format(
                        "- memory: B heap peak %d MiB before a collection; after one: median %d MiB,"
                                + " largest %d MiB; %d collections, %.0f ms paused; peak RSS %d MiB",
                        heapB.maxBeforeMib(),
                        heapB.medianAfterMib(),
                        heapB.maxAfterMib(),
                        heapB.collections(),
                        heapB.pauseMillis(),
                        rssB / 1024));
                line("- CPU during the measured throughput phase, % of one core (the machine has "
                        + Runtime.getRuntime().availableProcessors() + "): " + usage.cpu());
                line(String.format(
                        "- wire (TLS bytes on the XMPP connections, per record stored): A sent %.0f,"
                                + " received %.0f; B sent %.0f, received %.0f; both sessions, both directions %.0f (raw"
                                + " Smack: %.0f)",
                        (double) usage.wireA().sent() / usage.records(),
                        (double) usage.wireA().received() / usage.records(),
                        (double) usage.wireB().sent() / usage.records(),
                        (double) usage.wireB().received() / usage.records(),
                        (double) (usage.wireA().total() + usage.wireB().total()) / usage.records(),
                        (double) ceiling.wire().total() / ceiling.records()));
                line(String.format(
                        "- check: %,d records given to A, %,d rows in B's measurement table, %,d distinct"
                                + " (name, time)%s",
                        run.emitted(),
                        stored[0],
                        stored[1],
                        drained ? "" : "; NOT DRAINED within " + drainSeconds + " s"));
                line("");
                line(String.format("PostgreSQL's statements during the throughput phase and its warm-up"
                        + " (pg_stat_statements; time in the executor, lock and I/O waits included; COMMIT is where the"
                        + " WAL is flushed), the 15 that took longest, per 1,000 records stored:%n"));
                line("| proxy | statement | calls | ms | WAL kB |");
                line("|---|---|---|---|---|");
                statements.forEach(ThroughputBenchmark.this::line);
                line("");
            }
        } finally {
            a.close();
            b.close();
        }
    }

    /**
     * B away, then back (issue 22): A's peer switch for B turned off (what {@code sen-proxy peers suspend} does), a
     * backlog of {@code rows} outbox rows for B written meanwhile, then B turned on again while records keep coming at
     * {@code bench.latency-rate}. Reports the catch-up: until B's sink holds the backlog and the records that came
     * meanwhile, its rate in each quarter of the backlog (flat if the cost does not depend on what is left), and the
     * latency of the records that came meanwhile (they queue behind the backlog: the outbox sends in order).
     */
    private void backlog(Run run, Delivered delivered, String dbA, String dbB, String variant, long rows)
            throws Exception {
        try (Connection c = DriverManager.getConnection(dbA, "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO switch (kind, name, enabled, reason, changed_by)"
                    + " VALUES ('peer', 'bench-b', false, 'benchmark: B away', 'bench')");
        }
        System.out.printf("variant %s: a backlog of %,d rows for B, B suspended...%n", variant, rows);
        line(BenchPrefill.outboxBacklog(dbA, "bench-b@localhost", Consented.REF, rows, backlogRecordsPerRow));
        long records = rows * backlogRecordsPerRow;
        Thread.sleep(2000); // the last prime's count
        long d0 = delivered.get();
        long emitted0 = run.emitted();
        BenchRecords paced = new BenchRecords("urn:dev:bench:" + variant + "-backlog-flow:");
        System.out.printf("variant %s: B back, catching up, %d records/s meanwhile...%n", variant, latencyRate);
        long machine0 = ProcessStats.machineBusyTicks();
        Instant from = Instant.now();
        long t0 = System.nanoTime();
        try (Connection c = DriverManager.getConnection(dbA, "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("UPDATE switch SET enabled = true, reason = 'benchmark: B back' WHERE kind = 'peer'"
                    + " AND name = 'bench-b'");
        }
        double[] quarters = new double[4];
        int quarter = 0;
        long deadline = t0 + TimeUnit.SECONDS.toNanos(backlogMaxSeconds);
        boolean caughtUp;
        // the flow's records given to A up to a second ago: those made since may still be on their way (the latency
        // of the flow after the backlog), and the flow keeps coming
        long emittedBefore = 0;
        while (true) {
            long done = delivered.get() - d0;
            while (quarter < 4 && done >= records * (quarter + 1) / 4) {
                quarters[quarter++] = (System.nanoTime() - t0) / 1e9;
            }
            caughtUp = done >= records + emittedBefore;
            if (caughtUp || System.nanoTime() > deadline) {
                break;
            }
            emittedBefore = run.emitted() - emitted0;
            run.openLoop(paced, latencyRate, 1);
        }
        double took = (System.nanoTime() - t0) / 1e9;
        long machine = ProcessStats.machineBusyTicks() - machine0;
        Instant to = Instant.now();
        boolean drained = run.drain();
        Percentiles flow = latency(dbB, paced.baseName(), from, to);
        StringBuilder pace = new StringBuilder();
        for (int q = 0; q < quarter; q++) {
            double seconds = quarters[q] - (q == 0 ? 0 : quarters[q - 1]);
            pace.append(String.format("%s%,.0f", q == 0 ? "" : ", ", records / 4.0 / seconds));
        }
        line(String.format(
                "- **catch-up: %,d rows (%,d records) in %.0f s: %,.0f rows/s, %,.0f records/s**%s; records/s in each"
                        + " quarter of the backlog: %s; machine busy %.0f%% of %d%%",
                rows,
                records,
                took,
                rows / took,
                records / took,
                caughtUp ? "" : " (NOT caught up within bench.backlog.max-seconds)",
                pace,
                pct(machine, took),
                100 * Runtime.getRuntime().availableProcessors()));
        line(String.format(
                "- the flow meanwhile (%,d records/s, queued behind the backlog: the outbox sends in order): p50 %s,"
                        + " p99 %s, max %s (%,d records)",
                latencyRate, ms(flow.p50()), ms(flow.p99()), ms(flow.max()), flow.count()));
        long[] stored = storedCount(dbB);
        line(String.format(
                "- check: %,d rows in B's measurement table (backlog %,d + records given to A %,d); A's outbox: %s%s",
                stored[0],
                records,
                run.emitted(),
                outbox(dbA),
                drained ? "" : "; NOT DRAINED within " + drainSeconds + " s"));
        line("");
    }

    /**
     * The soak (issue 22): records at bench.latency-rate for {@code seconds}, both proxies' retention running every
     * bench.soak.retention-interval-ms; each minute, the latency of its records, each proxy's heap after its last
     * collection, resident memory and open files, and both databases' size (target/bench/soak.csv). The report puts
     * the first and the last 10 minutes side by side (the first and last third of a shorter soak), and checks that B
     * stored every record given to A, once.
     */
    private void soak(
            Run run,
            ProxyProcess a,
            ProxyProcess b,
            EmbeddedPostgres postgres,
            String dbA,
            String dbB,
            String variant,
            int seconds)
            throws Exception {
        record Minute(
                Instant from,
                Instant to,
                Percentiles latency,
                long heapA,
                long heapB,
                long rssA,
                long rssB,
                long filesA,
                long filesB,
                long dbBytes,
                SoakHorizon.Sizes sizes) {}
        List<Minute> minutes = new ArrayList<>();
        BenchRecords paced = new BenchRecords("urn:dev:bench:" + variant + "-soak:");
        StringBuilder csv = new StringBuilder(
                "minute,records,p50_ms,p99_ms,max_ms,heap_after_gc_a_mib,heap_after_gc_b_mib,rss_a_mib,rss_b_mib,"
                        + "open_files_a,open_files_b,databases_mib," + SoakHorizon.Sizes.csvHeader() + "\n");
        String filled = null;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Path gcA = OUT.resolve(variant + "-a-gc.log");
        Path gcB = OUT.resolve(variant + "-b-gc.log");
        while (System.nanoTime() < end) {
            Instant from = Instant.now();
            int slice = (int) Math.min(60, Math.max(1, TimeUnit.NANOSECONDS.toSeconds(end - System.nanoTime())));
            System.out.printf("soak: minute %d...%n", minutes.size() + 1);
            run.openLoop(paced, latencyRate, slice);
            Instant to = Instant.now();
            Thread.sleep(1000); // the slice's last records
            List<Long> afterA = ProcessStats.heapAfters(gcA);
            List<Long> afterB = ProcessStats.heapAfters(gcB);
            Minute m = new Minute(
                    from,
                    to,
                    latency(dbB, paced.baseName(), from, to),
                    afterA.isEmpty() ? 0 : afterA.get(afterA.size() - 1),
                    afterB.isEmpty() ? 0 : afterB.get(afterB.size() - 1),
                    ProcessStats.statusKib(a.pid(), "VmRSS") / 1024,
                    ProcessStats.statusKib(b.pid(), "VmRSS") / 1024,
                    ProcessStats.openFiles(a.pid()),
                    ProcessStats.openFiles(b.pid()),
                    databaseBytes(postgres, dbA) + databaseBytes(postgres, dbB),
                    SoakHorizon.sizes(dbA, dbB));
            minutes.add(m);
            // the second minute's rows: the first has the proxies' warm-up, fewer and larger messages (run 14 copied
            // it, and the finished rows grew by the difference, about 12%)
            if (filled == null && soakHorizonFill && minutes.size() == 2) {
                filled = SoakHorizon.fill(dbA, dbB, from, to, SOAK_DONE_DAYS, seconds);
                System.out.println(filled);
            }
            csv.append(String.format(
                    "%d,%d,%.1f,%.1f,%.1f,%d,%d,%d,%d,%d,%d,%d,%s%n",
                    minutes.size(),
                    m.latency().count(),
                    m.latency().p50() * 1000,
                    m.latency().p99() * 1000,
                    m.latency().max() * 1000,
                    m.heapA(),
                    m.heapB(),
                    m.rssA(),
                    m.rssB(),
                    m.filesA(),
                    m.filesB(),
                    m.dbBytes() >> 20,
                    m.sizes().csv()));
            Files.writeString(OUT.resolve("soak.csv"), csv);
        }
        boolean drained = run.drain();
        long[] stored = storedCount(dbB);
        int window = Math.max(1, Math.min(10, minutes.size() / 3));
        List<Minute> first = minutes.subList(0, window);
        List<Minute> last = minutes.subList(minutes.size() - window, minutes.size());
        line(String.format(
                "- %d s at %,d records/s (%d minutes), the proxies' retention every %d s; per minute in"
                        + " target/bench/soak.csv. First and last %d minutes side by side:",
                seconds, latencyRate, minutes.size(), soakRetentionMillis / 1000, window));
        line("");
        if (filled != null) {
            line(filled);
        }
        line("");
        line("| | p99 (whole span) | max | heap after GC, A / B (largest of the minutes' last) |"
                + " RSS A / B (largest) | open files A / B (largest) | both databases at the end |"
                + " outbox + inbox at the end: size, rows | source_record, audit_log, B's sink at the end |");
        line("|---|---|---|---|---|---|---|---|---|");
        for (List<Minute> span : List.of(first, last)) {
            Percentiles p = latency(
                    dbB,
                    paced.baseName(),
                    span.get(0).from(),
                    span.get(span.size() - 1).to());
            SoakHorizon.Sizes sizes = span.get(span.size() - 1).sizes();
            line(String.format(
                    "| %s %d min | %s | %s | %d / %d MiB | %d / %d MiB | %d / %d | %,d MiB | %,d MiB, %,d rows |"
                            + " %,d, %,d, %,d MiB |",
                    span == first ? "first" : "last",
                    window,
                    ms(p.p99()),
                    ms(p.max()),
                    span.stream().mapToLong(Minute::heapA).max().orElse(0),
                    span.stream().mapToLong(Minute::heapB).max().orElse(0),
                    span.stream().mapToLong(Minute::rssA).max().orElse(0),
                    span.stream().mapToLong(Minute::rssB).max().orElse(0),
                    span.stream().mapToLong(Minute::filesA).max().orElse(0),
                    span.stream().mapToLong(Minute::filesB).max().orElse(0),
                    span.get(span.size() - 1).dbBytes() >> 20,
                    sizes.finishedBytes() >> 20,
                    sizes.outboxRows() + sizes.inboxRows(),
                    sizes.keysBytes() >> 20,
                    sizes.auditBytes() >> 20,
                    sizes.sinkBytes() >> 20));
        }
        line("");
        SoakHorizon.Sizes from = first.get(first.size() - 1).sizes();
        SoakHorizon.Sizes to = last.get(last.size() - 1).sizes();
        line(String.format(
                "- from minute %d to minute %d: outbox + inbox %+,d MiB, %+,d rows (bounded by done-days: flat once the"
                        + " retention deletes as many finished rows as come); growing by design: source_record %+,d MiB"
                        + " (a day's keys go at once after keys-days), audit_log %+,d MiB (kept for ever by default),"
                        + " B's sink %+,d MiB (the local system's)",
                window,
                minutes.size(),
                (to.finishedBytes() - from.finishedBytes()) >> 20,
                to.outboxRows() + to.inboxRows() - from.outboxRows() - from.inboxRows(),
                (to.keysBytes() - from.keysBytes()) >> 20,
                (to.auditBytes() - from.auditBytes()) >> 20,
                (to.sinkBytes() - from.sinkBytes()) >> 20));
        line(String.format(
                "- check: %,d records given to A, %,d rows in B's measurement table, %,d distinct (name, time)%s",
                run.emitted(), stored[0], stored[1], drained ? "" : "; NOT DRAINED within " + drainSeconds + " s"));
        line("");
    }

    /** The database of a JDBC URL, without its parameters ({@code ?currentSchema=...}). */
    private static String databaseName(String url) {
        String path = url.substring(url.lastIndexOf('/') + 1);
        int parameters = path.indexOf('?');
        return parameters < 0 ? path : path.substring(0, parameters);
    }

    private static long databaseBytes(EmbeddedPostgres postgres, String url) throws Exception {
        String name = databaseName(url);
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_database_size('" + name + "')")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A retention run of A's database (the proxy's Retention, keys-days 35) on a thread of its own, after a delay. */
    private static final class RetentionRun extends Thread {
        private final String database;
        private final long delayMillis;
        private volatile Instant from;
        private volatile Instant to;
        private volatile org.senproxy.delivery.Retention.Purged purged;

        RetentionRun(String database, long delayMillis) {
            super("bench-retention");
            this.database = database;
            this.delayMillis = delayMillis;
        }

        @Override
        public void run() {
            try {
                Thread.sleep(delayMillis);
                from = Instant.now();
                purged = BenchPrefill.retention(database);
                to = Instant.now();
            } catch (Exception e) {
                throw new IllegalStateException("retention run failed", e);
            }
        }

        Instant from() {
            return from;
        }

        Instant to() {
            return to;
        }

        org.senproxy.delivery.Retention.Purged purged() {
            return purged;
        }

        double seconds() {
            return Duration.between(from, to).toNanos() / 1e9;
        }
    }

    /** The variant runs side by side, each against the same variant with no history (issue 22's target: 20%). */
    private void summary() {
        if (scales.size() < 2) {
            return;
        }
        line("## History and retention: the runs side by side");
        line("");
        line("| variant | database at start | records/s | p99 at " + latencyRate + "/s | p99 with retention |"
                + " retention run | records during it: p99, max | get_history, 1 day of 1 series | bytes per key |"
                + " CPU µs per record: proxies, machine |");
        line("|---|---|---|---|---|---|---|---|---|---|");
        for (Scale x : scales) {
            line(String.format(
                    "| %s | %s | %,.0f | %s | %s | %,d keys, %.2f s | %s, %s | %s | %s | %.0f, %.0f |",
                    x.variant(),
                    x.scenario(),
                    x.rate(),
                    ms(x.p99()),
                    ms(x.p99Retention()),
                    x.retentionKeys(),
                    x.retentionSeconds(),
                    ms(x.p99DuringRetention()),
                    ms(x.maxDuringRetention()),
                    Double.isNaN(x.historyMillis()) ? "n/a" : String.format("%.1f ms", x.historyMillis()),
                    x.bytesPerKey() == 0 ? "n/a" : Long.toString(x.bytesPerKey()),
                    x.proxiesMicrosPerRecord(),
                    x.machineMicrosPerRecord()));
        }
        line("");
        for (Scale x : scales) {
            Scale empty = scales.stream()
                    .filter(e -> e.variant().equals(x.variant()) && e.empty())
                    .findFirst()
                    .orElse(null);
            if (x.empty() || empty == null) {
                continue;
            }
            double rate = x.rate() / empty.rate() - 1;
            double p99 = x.p99() / empty.p99() - 1;
            double p99Retention = x.p99Retention() / empty.p99() - 1;
            boolean met = rate >= -0.2 && p99 <= 0.2;
            line(String.format(
                    "- %s, %s against an empty database (target: throughput and p99 within 20%%): records/s"
                            + " %+.0f%%, p99 %+.0f%%, p99 with a retention run %+.0f%%: **target %s**",
                    x.variant(), x.scenario(), 100 * rate, 100 * p99, 100 * p99Retention, met ? "met" : "missed"));
        }
        line("");
    }

    // ---- the run of one variant

    /**
     * B's sink count, read from its metrics every second (senproxy_sink_records_total). Until run 6 every 250 ms: a
     * Prometheus rendering of all of B's meters four times a second took about 5% of B's CPU (JFR), where a Prometheus
     * server scrapes every 15 to 60 s.
     */
    private static final class Delivered implements AutoCloseable {
        private final AtomicLong count = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread poller;

        Delivered(ProxyProcess b) {
            HttpClient client = HttpClient.newHttpClient();
            URI uri = URI.create("http://127.0.0.1:" + b.managementPort() + "/observe/metrics");
            poller = new Thread(
                    () -> {
                        while (running.get()) {
                            try {
                                String body = client.send(
                                                HttpRequest.newBuilder(uri)
                                                        .timeout(Duration.ofSeconds(5))
                                                        .build(),
                                                HttpResponse.BodyHandlers.ofString())
                                        .body();
                                for (String line : body.split("\n")) {
                                    if (line.startsWith("senproxy_sink_records_total")) {
                                        count.set((long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
                                    }
                                }
                                Thread.sleep(1000);
                            } catch (IOException e) {
                                // not answering yet
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    },
                    "bench-delivered");
            poller.setDaemon(true);
            poller.start();
        }

        long get() {
            return count.get();
        }

        @Override
        public void close() {
            running.set(false);
            poller.interrupt();
        }
    }

    private record Usage(
            Instant from,
            Instant to,
            double seconds,
            long records,
            String cpu,
            ProcessStats.Wire wireA,
            ProcessStats.Wire wireB,
            long proxyTicks,
            long machineTicks,
            long ownTicks) {
        double rate() {
            return records / seconds;
        }
    }

    private final class Run {
        private final BenchSources.Source source;
        private final Delivered delivered;
        private long emitted;

        Run(BenchSources.Source source, Delivered delivered) {
            this.source = source;
            this.delivered = delivered;
        }

        long emitted() {
            return emitted;
        }

        private void emit(List<String> records) throws Exception {
            source.emit(records);
            emitted += records.size();
        }

        /** One record through, so that the MQTT subscription is known to be in place before the clock runs. */
        void prime(BenchRecords records) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (delivered.get() == 0) {
                emit(records.next(1));
                long retry = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (delivered.get() == 0 && System.nanoTime() < retry) {
                    Thread.sleep(50);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no record reached B's sink in 120 s: see " + OUT + "/*.log");
                }
            }
            // a prime record lost before the subscription existed is not waited for
            emitted = delivered.get();
        }

        Usage closedLoop(
                BenchRecords records, int pack, ProxyProcess a, ProxyProcess b, MosquittoTestBroker mqtt, int xmppPort)
                throws Exception {
            long warm = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds);
            long end = warm + TimeUnit.SECONDS.toNanos(seconds);
            long d0 = -1;
            long t0 = 0;
            Instant from = null;
            Map<String, Long> cpu0 = null;
            Map<Long, ProcessStats.Wire> wire0 = null;
            while (true) {
                long now = System.nanoTime();
                if (d0 < 0 && now >= warm) {
                    d0 = delivered.get();
                    t0 = now;
                    from = Instant.now();
                    cpu0 = cpu(a, b, mqtt);
                    wire0 = ProcessStats.wire(xmppPort);
                }
                if (now >= end) {
                    break;
                }
                if (emitted - delivered.get() + pack <= window) {
                    emit(records.next(pack));
                } else {
                    Thread.sleep(2);
                }
            }
            long d1 = delivered.get();
            double took = (System.nanoTime() - t0) / 1e9;
            Map<String, Long> cpu1 = cpu(a, b, mqtt);
            Map<Long, ProcessStats.Wire> wire1 = ProcessStats.wire(xmppPort);
            StringBuilder split = new StringBuilder();
            long accounted = 0;
            for (Map.Entry<String, Long> e : cpu1.entrySet()) {
                long ticks = e.getValue() - cpu0.get(e.getKey());
                if (e.getKey().equals("machine")) {
                    long others = ticks - accounted;
                    split.append(String.format(
                            "other processes %.0f%%; machine busy %.0f%% of %d%%",
                            pct(others, took),
                            pct(ticks, took),
                            100 * Runtime.getRuntime().availableProcessors()));
                } else {
                    accounted += ticks;
                    split.append(String.format("%s %.0f%%, ", e.getKey(), pct(ticks, took)));
                }
            }
            ProcessStats.Wire wireA = ProcessStats.wire(wire1, a.pid()).minus(ProcessStats.wire(wire0, a.pid()));
            ProcessStats.Wire wireB = ProcessStats.wire(wire1, b.pid()).minus(ProcessStats.wire(wire0, b.pid()));
            long proxies = cpu1.get("proxy A") - cpu0.get("proxy A") + cpu1.get("proxy B") - cpu0.get("proxy B");
            return new Usage(
                    from,
                    Instant.now(),
                    took,
                    d1 - d0,
                    split.toString(),
                    wireA,
                    wireB,
                    proxies,
                    cpu1.get("machine") - cpu0.get("machine"),
                    accounted);
        }

        void openLoop(BenchRecords records, int rate, int runSeconds) throws Exception {
            long periodNanos = TimeUnit.SECONDS.toNanos(latencyPack) / rate;
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(runSeconds);
            long next = start;
            while (next < end) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                emit(records.next(latencyPack));
                next += periodNanos;
            }
        }

        /** Waits until B's sink has every record given to A; false if it did not within bench.drain-seconds. */
        boolean drain() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainSeconds);
            while (delivered.get() < emitted) {
                if (System.nanoTime() > deadline) {
                    System.out.printf("not drained: %d of %d records stored%n", delivered.get(), emitted);
                    return false;
                }
                Thread.sleep(100);
            }
            return true;
        }
    }

    /** CPU ticks so far of each process of the federation, and of the whole machine (last). */
    private Map<String, Long> cpu(ProxyProcess a, ProxyProcess b, MosquittoTestBroker mqtt) {
        Map<String, Long> ticks = new LinkedHashMap<>();
        ticks.put("proxy A", ProcessStats.cpuTicks(a.pid()));
        ticks.put("proxy B", ProcessStats.cpuTicks(b.pid()));
        ticks.put("ejabberd", ProcessStats.cpuTicks(ejabberdPid()));
        ticks.put("PostgreSQL", ProcessStats.treeCpuTicks(postgresPid()));
        if (mqtt != null) {
            ticks.put("Mosquitto", ProcessStats.cpuTicks(mqtt.pid()));
        }
        ticks.put(
                "benchmark driver",
                ProcessStats.cpuTicks(ProcessHandle.current().pid()));
        ticks.put("machine", ProcessStats.machineBusyTicks());
        return ticks;
    }

    private long postgresPid;

    private long postgresPid() {
        return postgresPid;
    }

    private static long ejabberdPid() {
        OptionalLong pid = ProcessStats.findProcess("beam.smp", BenchEjabberd.NODE);
        return pid.orElse(-1);
    }

    // ---- set-up

    /** The series the data owner's consent covers, and B's subscription accepts: every record the benchmark makes. */
    private static final String SCOPE = "urn:dev:bench:*";

    /**
     * The data both proxies need, in one place: on A, B's app and a data owner's consent for it, under which the source
     * connector's records go to B (consent, consumer); on B, A's app, the subscription that accepts that consent, and
     * A's public signing key.
     */
    private static void federate(String dbA, String dbB, String source, ECKey keyA) throws Exception {
        for (String database : List.of(dbA, dbB)) {
            TestPostgres.migrate(database);
        }
        try (Connection c = DriverManager.getConnection(dbA, "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO app (name, jid) VALUES ('bench-b', 'bench-b@localhost')");
            for (String sql : Consented.sender(source, "bench-b", SCOPE, Consented.REF)) {
                s.execute(sql);
            }
        }
        try (Connection c = DriverManager.getConnection(dbB, "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO app (name, jid) VALUES ('bench-a', 'bench-a@localhost')");
            s.execute(Consented.receiver("bench-a", SCOPE, Consented.REF));
            try (PreparedStatement key = c.prepareStatement(
                    "INSERT INTO app_key (app_id, kid, jwk) SELECT id, ?, ? FROM app WHERE name = 'bench-a'")) {
                key.setString(1, keyA.getKeyID());
                key.setString(2, keyA.toPublicJWK().toJSONString());
                key.executeUpdate();
            }
        }
    }

    private static void statementsReset(EmbeddedPostgres postgres) throws Exception {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            s.execute("SELECT pg_stat_statements_reset()");
        }
    }

    /**
     * The statements of both proxies' databases that took the most time since {@link #statementsReset}, as table rows:
     * calls, milliseconds and WAL per 1,000 of the {@code records} stored meanwhile.
     */
    private static List<String> statements(EmbeddedPostgres postgres, String dbA, String dbB, long records)
            throws Exception {
        String a = databaseName(dbA);
        String b = databaseName(dbB);
        double per = 1000.0 / Math.max(1, records);
        List<String> rows = new ArrayList<>();
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT d.datname, s.calls, s.total_exec_time, s.wal_bytes, s.query"
                        + " FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid"
                        + " WHERE d.datname IN ('" + a + "', '" + b + "') ORDER BY s.total_exec_time DESC LIMIT 15")) {
            while (rs.next()) {
                String query = rs.getString(5).replaceAll("\\s+", " ").replace("|", "\\|");
                rows.add(String.format(
                        "| %s | `%s` | %.2f | %.1f | %.1f |",
                        a.equals(rs.getString(1)) ? "A" : "B",
                        query.length() > 90 ? query.substring(0, 90) + "..." : query,
                        rs.getLong(2) * per,
                        rs.getDouble(3) * per,
                        rs.getBigDecimal(4).doubleValue() * per / 1024));
            }
        }
        return rows;
    }

    private String database(EmbeddedPostgres postgres, String name) throws Exception {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name);
            s.execute("CREATE DATABASE " + name);
        }
        postgresPid = ProcessStats.findProcess("postgres", "-p " + postgres.getPort() + " ")
                .orElse(-1);
        return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + name + "?currentSchema="
                + TestPostgres.SEARCH_PATH;
    }

    /** The proxy's home folder: the project's routes, building blocks, connectors and transforms, and the benchmark's connectors. */
    private static Path home(String variant) throws IOException {
        Path home = OUT.resolve("home-" + variant).toAbsolutePath();
        deleteTree(home);
        for (String folder : List.of("routes", "kamelets", "connectors", "transforms")) {
            copyFolder(Path.of(folder), home.resolve(folder));
        }
        copyFolder(Path.of("bench", "connectors"), home.resolve("connectors"));
        Files.copy(Path.of("application.properties"), home.resolve("application.properties"));
        return home;
    }

    private Map<String, String> proxy(String user, String database, Path home, XmppTestServer xmpp) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("senproxy.home", home.toString());
        settings.put("senproxy.replica", user);
        settings.put("senproxy.xmpp.jid", user + "@localhost");
        settings.put("senproxy.xmpp.password", passwords.get(user));
        settings.put("senproxy.xmpp.resource", user);
        settings.put("senproxy.xmpp.host", "127.0.0.1");
        settings.put("senproxy.xmpp.port", Integer.toString(xmpp.port()));
        settings.put("senproxy.xmpp.truststore", xmpp.trustStore().toString());
        settings.put("senproxy.xmpp.truststore-password", xmpp.trustStorePassword());
        settings.put("senproxy.db.url", database);
        settings.put("senproxy.db.user", "postgres");
        settings.putAll(proxySettings());
        return settings;
    }

    /** Proxy settings given to the benchmark as -Dbench.proxy.<key>=<value> (e.g. senproxy.outbox.batch-size). */
    private static Map<String, String> proxySettings() {
        Map<String, String> settings = new TreeMap<>();
        System.getProperties().stringPropertyNames().stream()
                .filter(k -> k.startsWith("bench.proxy."))
                .forEach(k -> settings.put(k.substring("bench.proxy.".length()), System.getProperty(k)));
        return settings;
    }

    private List<String> jvm(String name) throws IOException {
        // a JVM renames the log it finds to .0, .1...: no log of an earlier run is read as this run's
        try (Stream<Path> old = Files.list(OUT)) {
            for (Path log : old.filter(p -> p.getFileName().toString().startsWith(name + "-gc.log"))
                    .toList()) {
                Files.delete(log);
            }
        }
        List<String> options = new ArrayList<>(jvm);
        options.add("-Xlog:gc:file=" + OUT.resolve(name + "-gc.log").toAbsolutePath());
        if (jfr) {
            options.add("-XX:StartFlightRecording=filename="
                    + OUT.resolve(name + ".jfr").toAbsolutePath() + ",settings=profile,dumponexit=true");
        }
        return options;
    }

    /** Starts a proxy and returns the seconds until it was ready (XMPP session and database up). */
    private static double start(ProxyProcess proxy) throws Exception {
        long t0 = System.nanoTime();
        proxy.start();
        long deadline = t0 + TimeUnit.SECONDS.toNanos(120);
        while (proxy.readiness() != 200) {
            if (!proxy.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException(proxy.name() + " not ready: see " + proxy.log());
            }
            Thread.sleep(50);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    // ---- figures read from B's database

    private record Percentiles(long count, double p50, double p95, double p99, double max) {}

    private static Percentiles latency(String dbB, String baseName, Instant from, Instant to) throws Exception {
        try (Connection c = DriverManager.getConnection(dbB, "postgres", "");
                PreparedStatement ps = c.prepareStatement("SELECT count(*), percentile_cont(ARRAY[0.5, 0.95, 0.99])"
                        + " WITHIN GROUP (ORDER BY extract(epoch FROM stored_at - time)),"
                        + " max(extract(epoch FROM stored_at - time)) FROM measurement"
                        + " WHERE name LIKE ? AND time >= ? AND time < ?")) {
            ps.setString(1, baseName + "%");
            ps.setTimestamp(2, java.sql.Timestamp.from(from));
            ps.setTimestamp(3, java.sql.Timestamp.from(to));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getLong(1) == 0) {
                    return new Percentiles(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
                }
                Double[] p = (Double[]) rs.getArray(2).getArray();
                return new Percentiles(rs.getLong(1), p[0], p[1], p[2], rs.getDouble(3));
            }
        }
    }

    /** A query's rows as CSV, for a closer look after the run (when each message was written, sent, acked). */
    private static void dump(String database, String query, Path file) throws Exception {
        StringBuilder csv = new StringBuilder();
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(query)) {
            int columns = rs.getMetaData().getColumnCount();
            for (int i = 1; i <= columns; i++) {
                csv.append(i > 1 ? "," : "").append(rs.getMetaData().getColumnName(i));
            }
            csv.append('\n');
            while (rs.next()) {
                for (int i = 1; i <= columns; i++) {
                    csv.append(i > 1 ? "," : "").append(rs.getString(i));
                }
                csv.append('\n');
            }
        }
        Files.writeString(file, csv);
    }

    private static long[] storedCount(String dbB) throws Exception {
        try (Connection c = DriverManager.getConnection(dbB, "postgres", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT (name, time)) FROM measurement")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    private static double averagePack(String dbB, Instant from, Instant to) throws Exception {
        try (Connection c = DriverManager.getConnection(dbB, "postgres", "");
                PreparedStatement ps = c.prepareStatement(
                        "SELECT avg(record_count) FROM inbox WHERE received_at >= ? AND received_at < ?")) {
            ps.setTimestamp(1, java.sql.Timestamp.from(from));
            ps.setTimestamp(2, java.sql.Timestamp.from(to));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getDouble(1);
            }
        }
    }

    /** A's outbox rows by status, and the sends beyond each row's first (resends after an ack that came late). */
    private static String outbox(String dbA) throws Exception {
        StringBuilder text = new StringBuilder();
        try (Connection c = DriverManager.getConnection(dbA, "postgres", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT status, count(*), sum(greatest(attempts - 1, 0)) FROM outbox"
                        + " GROUP BY status ORDER BY status")) {
            long resends = 0;
            while (rs.next()) {
                text.append(String.format("%,d %s, ", rs.getLong(2), rs.getString(1)));
                resends += rs.getLong(3);
            }
            text.append(String.format("%,d resends", resends));
        }
        return text.toString();
    }

    // ---- the machine

    private void machine() throws Exception {
        line("## Machine and servers");
        line("");
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(l -> l.startsWith("model name"))
                .findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).trim())
                .orElse("?");
        String mem = Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\s+", " ");
        line(String.format(
                "- %d cores (%s), %s; Linux %s; load average at start %s",
                Runtime.getRuntime().availableProcessors(),
                cpu,
                mem,
                command("uname", "-r"),
                Files.readString(Path.of("/proc/loadavg")).trim().split(" ", 4)[0] + " "
                        + Files.readString(Path.of("/proc/loadavg")).trim().split(" ")[1]));
        line("- Java " + System.getProperty("java.vm.version") + " (" + System.getProperty("java.vm.name") + ")");
        line("- Mosquitto " + command("dpkg-query", "-W", "-f=${Version}", "mosquitto") + " (a process of the"
                + " benchmark's own; max_inflight_messages "
                + mosquittoSettings.stream()
                        .filter(l -> l.trim().startsWith("max_inflight_messages"))
                        .map(l -> l.trim().split("\\s+")[1])
                        .findFirst()
                        .orElse("20, the default")
                + ")");
    }

    private static String shaper() {
        try {
            return Files.readAllLines(Path.of(".ci", "ejabberd.yml")).stream()
                    .map(String::trim)
                    .filter(l -> l.startsWith("c2s_shaper:"))
                    .findFirst()
                    .orElse("c2s_shaper not set");
        } catch (IOException e) {
            return "config not readable";
        }
    }

    private static String command(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "?";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    // ---- helpers

    private void line(String text) {
        System.out.println(text);
        report.append(text).append('\n');
    }

    private static double pct(long ticks, double seconds) {
        return 100.0 * ticks / TICKS_PER_SECOND / seconds;
    }

    private static String ms(double seconds) {
        return Double.isNaN(seconds) ? "n/a" : String.format("%.0f ms", seconds * 1000);
    }

    private static void copyFolder(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, to.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted((x, y) -> y.getNameCount() - x.getNameCount())
                    .forEach(p -> p.toFile().delete());
        }
    }
}
