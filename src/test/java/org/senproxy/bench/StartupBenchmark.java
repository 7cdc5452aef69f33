package org.senproxy.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.senproxy.testing.Consented;
import org.senproxy.testing.FreePort;
import org.senproxy.testing.ProxyProcess;
import org.senproxy.testing.TestPostgres;
import org.senproxy.testing.XmppTestServer;

/**
 * How long the packaged proxy takes from {@code java -jar} to ready (/observe/health/ready answers 200), and where the
 * time goes (its "Ready ... s after the JVM started: ..." line, runtime.StartupTimes): on an idle machine with an empty
 * outbox, and on a loaded one (busy threads on every core, in this JVM) with an outbox backlog of pending rows for a
 * peer. Prints one line per start and a summary; docs/benchmarks-log.md ("Start-up") keeps the figures.
 *
 * <p>Settings (-D): {@code bench.startup.runs} (3 starts per case), {@code bench.startup.backlog} (100000 rows),
 * {@code bench.startup.load-threads} (the machine's cores). The XMPP server is the tests' (embedded Vysper, or
 * ejabberd with SENPROXY_IT_XMPP=ejabberd); the proxy runs as in service (C2, its default GC).
 * Run: {@code mvn -Pbench package -Dbench.main=org.senproxy.bench.StartupBenchmark}.
 */
public final class StartupBenchmark {

    private static final String JID = "proxy-s@localhost";

    public static void main(String[] args) throws Exception {
        int runs = Integer.getInteger("bench.startup.runs", 3);
        int backlog = Integer.getInteger("bench.startup.backlog", 100_000);
        int threads = Integer.getInteger(
                "bench.startup.load-threads", Runtime.getRuntime().availableProcessors());
        XmppTestServer xmpp = XmppTestServer.fromEnvironment();
        xmpp.start();
        String password = "startup-" + Long.toHexString(System.nanoTime());
        xmpp.register("proxy-s", password);
        try {
            List<Double> idle = new ArrayList<>();
            List<Double> loaded = new ArrayList<>();
            for (int run = 1; run <= runs; run++) {
                idle.add(start(xmpp, password, "idle " + run, 0, 0));
            }
            for (int run = 1; run <= runs; run++) {
                loaded.add(start(xmpp, password, "loaded " + run, backlog, threads));
            }
            System.out.printf(
                    Locale.ROOT,
                    "%nStart-up to ready, %d starts each (%d cores):%n  idle, empty outbox:"
                            + " %s s%n  %d busy threads, %,d pending outbox rows: %s s%n",
                    runs,
                    Runtime.getRuntime().availableProcessors(),
                    range(idle),
                    threads,
                    backlog,
                    range(loaded));
        } finally {
            xmpp.stop();
        }
        System.exit(0);
    }

    /** One start of the packaged proxy on a fresh database; seconds from the process start to ready. */
    private static double start(XmppTestServer xmpp, String password, String label, int backlog, int busyThreads)
            throws Exception {
        String database = TestPostgres.newDatabase("startup");
        TestPostgres.migrate(database);
        if (backlog > 0) {
            fillBacklog(database, backlog);
        }
        Map<String, String> settings = new HashMap<>();
        settings.put("senproxy.db.url", database);
        settings.put("senproxy.db.user", "postgres");
        settings.put("senproxy.xmpp.jid", JID);
        settings.put("senproxy.xmpp.password", password);
        settings.put("senproxy.xmpp.host", xmpp.host());
        settings.put("senproxy.xmpp.port", Integer.toString(xmpp.port()));
        settings.put("senproxy.xmpp.truststore", xmpp.trustStore().toString());
        settings.put("senproxy.xmpp.truststore-password", xmpp.trustStorePassword());
        settings.put("camel.management.port", Integer.toString(FreePort.next()));
        settings.put("camel.server.port", Integer.toString(FreePort.next()));
        Path logs = Files.createDirectories(Path.of("target", "bench-startup"));
        AtomicBoolean busy = new AtomicBoolean(true);
        List<Thread> load = new ArrayList<>();
        for (int i = 0; i < busyThreads; i++) {
            Thread spin = new Thread(
                    () -> {
                        long x = 0;
                        while (busy.get()) {
                            x += System.nanoTime() % 7;
                        }
                        if (x == 42) {
                            System.out.print("");
                        }
                    },
                    "busy-" + i);
            spin.setDaemon(true);
            spin.start();
            load.add(spin);
        }
        try (ProxyProcess proxy = new ProxyProcess("startup-" + label.replace(' ', '-'), settings, logs, List.of())) {
            long started = System.nanoTime();
            proxy.start();
            while (proxy.readiness() != 200) {
                if (!proxy.isAlive() || System.nanoTime() - started > 120_000_000_000L) {
                    throw new IllegalStateException(label + ": not ready in 120 s, see " + proxy.log());
                }
                Thread.sleep(50);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            String phases = Files.readAllLines(proxy.log()).stream()
                    .filter(line -> line.contains("Ready "))
                    .map(line -> line.substring(line.indexOf("Ready ")))
                    .findFirst()
                    .orElse("(no Ready line)");
            System.out.printf(Locale.ROOT, "%-9s ready in %.1f s | %s%n", label, seconds, phases);
            return seconds;
        } finally {
            busy.set(false);
            for (Thread spin : load) {
                spin.join();
            }
        }
    }

    /** {@code rows} pending rows of one record each for a peer, under a consent in force (as a day offline leaves). */
    private static void fillBacklog(String database, int rows) throws Exception {
        try (Connection c = DriverManager.getConnection(database, "postgres", "")) {
            c.createStatement().execute("INSERT INTO app (name, jid) VALUES ('peer', 'peer@localhost')");
            for (String sql : Consented.sender("ecodevices-source", "peer", "urn:dev:prm:*", Consented.REF)) {
                c.createStatement().execute(sql);
            }
            c.createStatement()
                    .execute("INSERT INTO outbox (message_id, correlation_id, consumer_id, recipient_jid,"
                            + " payload, record_count, consent_ref, created_at, next_attempt_at)"
                            + " SELECT gen_random_uuid(), 'backlog-' || i, (SELECT id FROM consumer LIMIT 1), 'peer@localhost',"
                            + " '[{\"n\":\"urn:dev:prm:09111642617347_consumption/power/apparent/raw\",\"u\":\"VA\",\"v\":'"
                            + " || (i % 900) || ',\"t\":' || (1700000000 + i) || '}]', 1, '" + Consented.REF + "',"
                            + " now(), now() FROM generate_series(1, " + rows + ") i");
        }
    }

    private static String range(List<Double> seconds) {
        return String.format(
                Locale.ROOT,
                "%.1f to %.1f",
                seconds.stream().mapToDouble(d -> d).min().orElse(0),
                seconds.stream().mapToDouble(d -> d).max().orElse(0));
    }
}
