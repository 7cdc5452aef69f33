package org.senproxy.demo;

import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.senproxy.testing.LocalFederation;

/**
 * The quick start's main job: a working federation on this machine, with embedded servers. Proxy A polls an
 * Eco-devices stand-in every second and sends the records over XMPP to proxy B, which stores them in its
 * PostgreSQL measurement table. Prints a progress line every two seconds; stops after demo.seconds
 * (default 30; 0 = until Ctrl-C).
 */
public final class FederationDemo {

    public static void main(String[] args) throws Exception {
        long seconds = Long.getLong("demo.seconds", 30);
        System.out.println("Starting a local federation: PostgreSQL, an XMPP server, an Eco-devices stand-in, proxies A and B");
        try (LocalFederation federation = LocalFederation.start(Map.of(
                "ecodevices.poll-interval-ms", System.getProperty("demo.poll-interval-ms", "1000"),
                "senproxy.outbox.poll-interval-ms", "250"))) {
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            long end = seconds == 0 ? Long.MAX_VALUE : System.currentTimeMillis() + seconds * 1000;
            while (System.currentTimeMillis() < end && stop.getCount() > 0) {
                stop.await(2, java.util.concurrent.TimeUnit.SECONDS);
                System.out.println(progress(federation));
            }
            federation.polling(false);
            System.out.println("Stopped polling; final: " + progress(federation));
        }
        // Apache Vysper, the embedded XMPP server, leaves worker threads that are not daemons behind when it stops,
        // and exec:java waits for every such thread: the demo never ended. Everything is closed by now.
        System.exit(0);
    }

    /** The sink creates its table at start-up: until then, nothing is stored. */
    private static long storedAtB(LocalFederation f) {
        try {
            return f.count(f.databaseB, "SELECT count(*) FROM measurement");
        } catch (java.sql.SQLException e) {
            return 0;
        }
    }

    private static String progress(LocalFederation f) throws Exception {
        long polled = (long) f.ecodevices.served().size() * 5;
        long acked = f.count(f.databaseA, "SELECT coalesce(sum(record_count), 0) FROM outbox WHERE status = 'acked'");
        long waiting = f.count(f.databaseA,
                "SELECT coalesce(sum(record_count), 0) FROM outbox WHERE status IN ('pending', 'sent')");
        long stored = storedAtB(f);
        long dead = f.count(f.databaseA, "SELECT count(*) FROM dead_letter")
                + f.count(f.databaseB, "SELECT count(*) FROM dead_letter");
        return String.format("records: polled by A %d | in A's outbox, waiting %d, acknowledged by B %d"
                + " | stored in B's measurement table %d | dead letters %d", polled, waiting, acked, stored, dead);
    }
}
