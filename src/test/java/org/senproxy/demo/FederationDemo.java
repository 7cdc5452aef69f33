package org.senproxy.demo;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import org.senproxy.federation.Signatures;
import org.senproxy.testing.EmbeddedMqttBroker;
import org.senproxy.testing.LocalFederation;

/**
 * The quick start's main job: a working federation on this machine, with embedded servers (PostgreSQL, an XMPP server,
 * an MQTT broker). Proxy A reads two simulated meters, a teleinfo gateway publishing frames over MQTT
 * (teleinfo-mqtt-source) and an Eco-devices box polled over HTTP (ecodevices-source), and sends their records over
 * XMPP, signed, under a data owner's consent, to proxy B, which checks each message and stores the records in its
 * PostgreSQL measurement table (postgres-sink).
 *
 * <p>Prints where both status pages are (with their read tokens), a progress line every two seconds, and a summary at
 * the end. Settings (-D): {@code demo.seconds} (30; 0 = until Ctrl-C), {@code demo.frames-per-second} (100 teleinfo
 * frames a second, 4 records each), {@code demo.poll-interval-ms} (Eco-devices, 200 ms, 5 records a poll),
 * {@code demo.verbose} (every log line, Camel's and the libraries' INFO included).
 */
public final class FederationDemo {

    static final String TELEINFO_METER = LocalFederation.METER.replace("17347_", "17348_");

    /** What the demo ends with: the figures of its summary. */
    record Summary(long read, long messages, long acknowledged, long stored, long signatures, long deadLetters) {

        long lost() {
            return read - stored;
        }
    }

    private final PrintStream out;
    private final boolean verbose;

    FederationDemo(PrintStream out, boolean verbose) {
        this.out = out;
        this.verbose = verbose;
    }

    public static void main(String[] args) throws Exception {
        new FederationDemo(System.out, Boolean.getBoolean("demo.verbose"))
                .run(
                        Long.getLong("demo.seconds", 30),
                        Integer.getInteger("demo.frames-per-second", 100),
                        Long.getLong("demo.poll-interval-ms", 200));
        // Apache Vysper, the embedded XMPP server, leaves worker threads that are not daemons behind when it stops,
        // and exec:java waits for every such thread: the demo never ended. Everything is closed by now.
        System.exit(0);
    }

    Summary run(long seconds, int framesPerSecond, long pollIntervalMs) throws Exception {
        DemoLogging logging = verbose ? DemoLogging.always() : DemoLogging.quiet();
        try {
            return federate(seconds, framesPerSecond, pollIntervalMs);
        } finally {
            logging.restore();
        }
    }

    private Summary federate(long seconds, int framesPerSecond, long pollIntervalMs) throws Exception {
        out.println("Starting a local federation: PostgreSQL, an XMPP server, an MQTT broker, two simulated meters,"
                + " proxies A and B" + (verbose ? "" : " (quiet logs; -Ddemo.verbose=true for all of them)"));
        String tokenA = token();
        String tokenB = token();
        Path keyB = Files.createTempFile(Path.of("target"), "demo-proxy-b-key-", ".jwk");
        Files.writeString(
                keyB,
                new ECKeyGenerator(Curve.P_256).keyID("proxy-b-1").generate().toJSONString());
        String topic = "teleinfo/021728123456";
        try (EmbeddedMqttBroker broker = new EmbeddedMqttBroker();
                LocalFederation federation = LocalFederation.start(
                        Map.of(
                                "senproxy.outbox.poll-interval-ms", "250",
                                // the status page's chart moves every two seconds, as the progress lines do
                                "senproxy.status.chart-step-ms", "2000"),
                        false,
                        Map.of(
                                "senproxy.connectors",
                                "ecodevices-source,teleinfo-mqtt-source",
                                "ecodevices.poll-interval-ms",
                                Long.toString(pollIntervalMs),
                                "teleinfo-mqtt.broker-url",
                                broker.url(),
                                "teleinfo-mqtt.topic",
                                topic,
                                "teleinfo-mqtt.base-name",
                                TELEINFO_METER,
                                "teleinfo-mqtt.period-ms",
                                "60000",
                                "senproxy.admin.read-token",
                                tokenA),
                        Map.of("senproxy.admin.read-token", tokenB, "senproxy.signing.key-file", keyB.toString()),
                        LocalFederation.METER + "*," + TELEINFO_METER + "*");
                TeleinfoGateway gateway = new TeleinfoGateway(broker.url(), topic)) {
            gateway.start(framesPerSecond);
            out.printf(
                    Locale.ROOT,
                    "%nMeters: teleinfo gateway over MQTT (%s, %d frames/s, 4 records each) and an"
                            + " Eco-devices box over HTTP (%s, a poll every %d ms, 5 records each)%n",
                    TELEINFO_METER,
                    framesPerSecond,
                    LocalFederation.METER,
                    pollIntervalMs);
            out.printf(
                    "Proxy A (sends):    %s/status   read token: %s%n", federation.status(LocalFederation.A), tokenA);
            out.printf(
                    "Proxy B (receives): %s/status   read token: %s%n", federation.status(LocalFederation.B), tokenB);
            out.println(
                    seconds == 0
                            ? "Running until Ctrl-C."
                            : "Running for " + seconds + " s (-Ddemo.seconds=0:" + " until Ctrl-C).");
            out.println();
            CountDownLatch stop = new CountDownLatch(1);
            Thread hook = new Thread(stop::countDown);
            Runtime.getRuntime().addShutdownHook(hook);
            long started = System.currentTimeMillis();
            long end = seconds == 0 ? Long.MAX_VALUE : started + seconds * 1000;
            Progress last = Progress.of(federation);
            while (System.currentTimeMillis() < end && !stop.await(2, TimeUnit.SECONDS)) {
                Progress now = Progress.of(federation);
                out.println(now.line(last));
                last = now;
            }
            out.println("Stopping the meters; waiting for the last records to reach B...");
            // both meters stop first, so that what A read no longer grows while the last records are counted at B;
            // the teleinfo connector goes on taking the frames the broker still holds
            gateway.stop();
            federation.polling(false);
            long drainUntil = System.currentTimeMillis() + 30_000;
            Progress before = Progress.of(federation);
            Progress now = before;
            while (!(now.drained() && now.read == before.read) && System.currentTimeMillis() < drainUntil) {
                Thread.sleep(500);
                before = now;
                now = Progress.of(federation);
            }
            federation.proxyA.context().getRouteController().stopRoute("teleinfo-mqtt-source");
            Summary summary = new Summary(
                    now.read,
                    now.messages,
                    now.acknowledged,
                    now.stored,
                    federation
                            .proxyB
                            .context()
                            .getRegistry()
                            .lookupByNameAndType("signatures", Signatures.class)
                            .verifiedCount(),
                    now.deadLetters);
            out.println();
            out.println(paragraph(summary, (System.currentTimeMillis() - started) / 1000));
            out.println();
            out.println("Stopping both proxies and the servers.");
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the JVM is stopping already
            }
            return summary;
        }
    }

    static String paragraph(Summary s, long seconds) {
        return String.format(
                Locale.ROOT,
                "In %d s, proxy A read %,d records from its two meters and sent them to B in"
                        + " %,d signed messages; B checked %,d signatures, acknowledged %,d records and stored %,d in its"
                        + " measurement table. Lost: %,d. Dead letters: %,d.",
                seconds,
                s.read(),
                s.messages(),
                s.signatures(),
                s.acknowledged(),
                s.stored(),
                s.lost(),
                s.deadLetters());
    }

    private static String token() {
        return Long.toHexString(Double.doubleToLongBits(Math.random())) + Long.toHexString(System.nanoTime());
    }

    /** The federation's counts at one moment, from both proxies' databases. */
    private record Progress(
            long at, long read, long waiting, long messages, long acknowledged, long stored, long deadLetters) {

        static Progress of(LocalFederation f) throws SQLException {
            return new Progress(
                    System.currentTimeMillis(),
                    f.count(f.databaseA, "SELECT count(*) FROM source_record"),
                    f.count(
                            f.databaseA,
                            "SELECT coalesce(sum(record_count), 0) FROM outbox"
                                    + " WHERE status IN ('pending', 'sent')"),
                    f.count(f.databaseA, "SELECT count(*) FROM outbox"),
                    f.count(f.databaseA, "SELECT coalesce(sum(record_count), 0) FROM outbox WHERE status = 'acked'"),
                    stored(f),
                    f.count(f.databaseA, "SELECT count(*) FROM dead_letter")
                            + f.count(f.databaseB, "SELECT count(*) FROM dead_letter"));
        }

        /** The sink creates its table at start-up: until then, nothing is stored. */
        private static long stored(LocalFederation f) {
            try {
                return f.count(f.databaseB, "SELECT count(*) FROM measurement");
            } catch (SQLException e) {
                return 0;
            }
        }

        boolean drained() {
            return waiting == 0 && stored >= read && acknowledged >= read;
        }

        String line(Progress before) {
            double seconds = Math.max(0.001, (at - before.at) / 1000.0);
            return String.format(
                    Locale.ROOT,
                    "records/s read %5.0f, stored at B %5.0f | total read %,d, waiting"
                            + " in A's outbox %,d, acknowledged by B %,d, stored at B %,d | dead letters %d",
                    (read - before.read) / seconds,
                    (stored - before.stored) / seconds,
                    read,
                    waiting,
                    acknowledged,
                    stored,
                    deadLetters);
        }
    }
}
