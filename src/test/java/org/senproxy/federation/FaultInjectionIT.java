package org.senproxy.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import org.junit.jupiter.api.Test;
import org.senproxy.senml.Measurement;
import org.senproxy.senml.Senml;
import org.senproxy.testing.Consented;
import org.senproxy.testing.EcodevicesStub;
import org.senproxy.testing.ProxyProcess;
import org.senproxy.testing.RestartablePostgres;
import org.senproxy.testing.TestPostgres;
import org.senproxy.testing.WebhookSinkStub;
import org.senproxy.testing.XmppTestServer;

/**
 * Nothing lost, nothing duplicated, under faults. Three proxies run as processes of their own
 * ({@code java -jar target/sen-proxy.jar}): two replicas of sender A polling an Eco-devices stand-in and draining one
 * outbox together, and receiver B delivering to a local system over HTTP (webhook-sink, which stores a delivery once
 * per idempotency key). While records flow, the test kills a random proxy with SIGKILL at a random moment
 * (senproxy.faults.kills times, 20 by default; -Dsenproxy.faults.kills=100 for a longer run), restarts it, and once
 * each stops and restarts the XMPP server, restarts PostgreSQL, and takes the local system down for a while. Then
 * the source stops giving records, everything drains, and the check is Jepsen's total-queue: every record that
 * entered A's outbox is in the local system exactly once, and nothing else is; it prints the lost, duplicated and
 * unexpected counts (all 0), the resends, and the recovery time after each fault. A signs every message and B takes
 * signed messages only; at the end no proxy's log holds a secret of the run (passwords, admin token, private key).
 *
 * <p>A kill lands at a random moment, not at a chosen step: over the run it falls in the middle of polls, claims,
 * sends and inbox commits alike. A frame the source served to a sender killed before its outbox commit never entered
 * the outbox: it is counted as not taken, which is not a loss (the next poll reads the meter again).
 */
class FaultInjectionIT {

    private static final int KILLS = Integer.getInteger("senproxy.faults.kills", 20);
    private static final long SEED = Long.getLong("senproxy.faults.seed", System.currentTimeMillis());
    private static final Path LOGS = Path.of("target", "faults");

    private static final String ADMIN_TOKEN = "admin-" + Long.toHexString(Double.doubleToLongBits(Math.random()));

    private final Map<String, String> passwords = new HashMap<>();
    private Path signingKey;
    private final List<String> recoveries = new ArrayList<>();

    @Test
    void everyRecordReachesTheLocalSystemExactlyOnceThroughCrashesAndOutages() throws Exception {
        System.out.printf("FAULTS seed %d (-Dsenproxy.faults.seed=%d repeats this run), %d kills%n", SEED, SEED, KILLS);
        Random random = new Random(SEED);
        try (XmppTestServer xmpp = XmppTestServer.fromEnvironment();
                RestartablePostgres postgres = new RestartablePostgres();
                EcodevicesStub box = new EcodevicesStub();
                WebhookSinkStub sink = new WebhookSinkStub()) {
            xmpp.start();
            register(xmpp, "proxy-a");
            register(xmpp, "proxy-b");
            String databaseA = postgres.newDatabase("fault_a");
            String databaseB = postgres.newDatabase("fault_b");
            seed(databaseA, databaseB);
            // A signs every message; B takes signed messages only
            ECKey keyA = new ECKeyGenerator(Curve.P_256).keyID("proxy-a-1").generate();
            Files.createDirectories(LOGS);
            signingKey = Files.writeString(LOGS.resolve("proxy-a-key.jwk"), keyA.toJSONString());
            try (Connection c = DriverManager.getConnection(databaseB);
                    Statement s = c.createStatement()) {
                s.execute("INSERT INTO app_key (app_id, kid, jwk) SELECT id, 'proxy-a-1', '"
                        + keyA.toPublicJWK().toJSONString() + "' FROM app WHERE name = 'a'");
            }

            ProxyProcess senderOne = new ProxyProcess("sender-1", sender(xmpp, databaseA, box, "a1"), LOGS);
            ProxyProcess senderTwo = new ProxyProcess("sender-2", sender(xmpp, databaseA, box, "a2"), LOGS);
            ProxyProcess receiver = new ProxyProcess("receiver", receiver(xmpp, databaseB, sink), LOGS);
            List<ProxyProcess> proxies = List.of(senderOne, senderTwo, receiver);
            try {
                for (ProxyProcess proxy : proxies) {
                    proxy.start();
                }
                awaitReady(proxies, "start-up");
                await().atMost(Duration.ofSeconds(60)).until(() -> sink.packs().size() >= 10);

                for (int kill = 1; kill <= KILLS; kill++) {
                    ProxyProcess victim = proxies.get(random.nextInt(proxies.size()));
                    Thread.sleep(200 + random.nextInt(1500));
                    victim.kill();
                    Thread.sleep(random.nextInt(500));
                    victim.start();
                    awaitReady(List.of(victim), "kill -9 #" + kill + " of " + victim.name());
                    if (kill == KILLS / 4) {
                        xmpp.stop();
                        Thread.sleep(3000);
                        xmpp.start();
                        awaitReady(proxies, "XMPP server stopped 3 s");
                    } else if (kill == KILLS / 2) {
                        postgres.stop();
                        Thread.sleep(3000);
                        postgres.start();
                        awaitReady(proxies, "PostgreSQL stopped 3 s");
                    } else if (kill == 3 * KILLS / 4) {
                        int before = sink.posts();
                        sink.down(true);
                        Thread.sleep(4000);
                        sink.down(false);
                        long up = System.nanoTime();
                        await().atMost(Duration.ofSeconds(60)).until(() -> sink.posts() > before);
                        recoveries.add(String.format(
                                "local system down 4 s: delivering again %d ms after it came back",
                                (System.nanoTime() - up) / 1_000_000));
                    }
                }

                // the source stops giving records; everything in flight drains
                box.mode(EcodevicesStub.Mode.SERVER_ERROR);
                long drainStart = System.nanoTime();
                await().atMost(Duration.ofSeconds(180))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> count(databaseA, "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sent')")
                                        == 0
                                && count(databaseB, "SELECT count(*) FROM inbox WHERE status = 'pending'") == 0);
                recoveries.add(String.format(
                        "drained %d ms after the source stopped", (System.nanoTime() - drainStart) / 1_000_000));
                check(databaseA, databaseB, box, sink);
            } finally {
                for (ProxyProcess proxy : proxies) {
                    proxy.close();
                }
            }
            // nothing secret in the logs of the whole run: passwords, the admin token, the private key
            for (ProxyProcess proxy : proxies) {
                String log = Files.readString(proxy.log());
                for (String secret : List.of(
                        passwords.get("proxy-a"),
                        passwords.get("proxy-b"),
                        ADMIN_TOKEN,
                        keyA.getD().toString())) {
                    assertThat(log).as("%s's log holds a secret", proxy.name()).doesNotContain(secret);
                }
            }
        }
    }

    private void check(String databaseA, String databaseB, EcodevicesStub box, WebhookSinkStub sink) throws Exception {
        Map<String, Integer> expected = new HashMap<>();
        int deadRows = 0;
        try (Connection c = DriverManager.getConnection(databaseA);
                Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("SELECT payload, status FROM outbox")) {
            while (rows.next()) {
                for (Measurement m : Senml.resolve(Senml.parseJson(rows.getString(1)), 0)) {
                    expected.merge(key(m), 1, Integer::sum);
                }
                deadRows += "dead".equals(rows.getString(2)) ? 1 : 0;
            }
        }
        Map<String, Integer> stored = new HashMap<>();
        for (String pack : sink.packs()) {
            for (Measurement m : Senml.resolve(Senml.parseJson(pack), 0)) {
                stored.merge(key(m), 1, Integer::sum);
            }
        }
        long lost = expected.entrySet().stream()
                .mapToLong(e -> Math.max(0, e.getValue() - stored.getOrDefault(e.getKey(), 0)))
                .sum();
        long duplicated = stored.entrySet().stream()
                .mapToLong(e -> Math.max(0, e.getValue() - Math.max(1, expected.getOrDefault(e.getKey(), 0))))
                .sum();
        long unexpected =
                stored.keySet().stream().filter(k -> !expected.containsKey(k)).count();
        long records = expected.values().stream().mapToLong(Integer::longValue).sum();
        long taken = records / 5;

        recoveries.forEach(line -> System.out.println("FAULTS recovery: " + line));
        System.out.printf(
                "FAULTS source served %d frames, %d entered the outbox (%d records); the others were served"
                        + " to a sender killed before its commit%n",
                box.served().size(), taken, records);
        System.out.printf(
                "FAULTS lost %d, duplicated %d, unexpected %d, dead-lettered outbox rows %d%n",
                lost, duplicated, unexpected, deadRows);
        System.out.printf(
                "FAULTS resends: %d outbox sends beyond the first, %d deliveries to the local system beyond"
                        + " the first (answered by its idempotency key), %d inbox rows delivered more than once%n",
                count(databaseA, "SELECT coalesce(sum(attempts - 1), 0) FROM outbox WHERE attempts > 1"),
                sink.posts() - sink.packs().size(),
                count(databaseB, "SELECT count(*) FROM inbox WHERE attempts > 1"));

        assertThat(records).as("records that entered the outbox").isPositive();
        assertThat(lost).as("lost records").isZero();
        assertThat(duplicated).as("duplicated records").isZero();
        assertThat(unexpected).as("unexpected records").isZero();
        assertThat(deadRows).as("outbox rows given up").isZero();
    }

    /** A record's identity: name, time and value (each frame's energy index differs). */
    private static String key(Measurement m) {
        return m.name() + "|" + m.time() + "|" + m.value() + "|" + m.stringValue();
    }

    private void awaitReady(List<ProxyProcess> proxies, String fault) {
        long start = System.nanoTime();
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> proxies.stream().allMatch(p -> p.readiness() == 200));
        recoveries.add(String.format("%s: ready again in %d ms", fault, (System.nanoTime() - start) / 1_000_000));
    }

    private void register(XmppTestServer xmpp, String user) throws Exception {
        String password = user + "-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
        xmpp.register(user, password);
        passwords.put(user, password);
    }

    /** The series the data owner's consent covers: the meter's. */
    private static final String SCOPE = "urn:dev:prm:09111642617347_*";

    private static void seed(String databaseA, String databaseB) throws Exception {
        for (String database : List.of(databaseA, databaseB)) {
            TestPostgres.migrate(database);
        }
        try (Connection c = DriverManager.getConnection(databaseA);
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO app (name, jid) VALUES ('b', 'proxy-b@localhost')");
            for (String sql : Consented.sender("ecodevices-source", "b", SCOPE, Consented.REF)) {
                s.execute(sql);
            }
        }
        try (Connection c = DriverManager.getConnection(databaseB);
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO app (name, jid) VALUES ('a', 'proxy-a@localhost')");
            s.execute(Consented.receiver("a", SCOPE, Consented.REF));
        }
    }

    private Map<String, String> common(XmppTestServer xmpp, String user, String database, String replica) {
        Map<String, String> settings = new HashMap<>();
        settings.put("senproxy.replica", replica);
        settings.put("senproxy.xmpp.jid", user + "@localhost");
        settings.put("senproxy.xmpp.password", passwords.get(user));
        settings.put("senproxy.xmpp.resource", replica);
        settings.put("senproxy.xmpp.host", xmpp.host());
        settings.put("senproxy.xmpp.port", Integer.toString(xmpp.port()));
        settings.put("senproxy.xmpp.truststore", xmpp.trustStore().toString());
        settings.put("senproxy.xmpp.truststore-password", xmpp.trustStorePassword());
        settings.put("senproxy.xmpp.reconnect-delay-s", "1");
        settings.put("senproxy.db.url", database);
        settings.put("senproxy.db.user", "postgres");
        settings.put("senproxy.db.pool-size", "4");
        settings.put("senproxy.db.connect-timeout-ms", "60000");
        // short timers, so that the faults are recovered from within the test's time; no attempt limit is reached
        settings.put("senproxy.outbox.poll-interval-ms", "100");
        settings.put("senproxy.outbox.lease-ms", "5000");
        settings.put("senproxy.outbox.ack-timeout-ms", "5000");
        settings.put("senproxy.outbox.retry-first-ms", "200");
        settings.put("senproxy.outbox.max-backoff-ms", "10000");
        settings.put("senproxy.outbox.max-attempts", "1000");
        settings.put("senproxy.inbox.poll-interval-ms", "200");
        settings.put("senproxy.inbox.lease-ms", "3000");
        settings.put("senproxy.inbox.retry-first-ms", "200");
        settings.put("senproxy.inbox.max-backoff-ms", "2000");
        settings.put("senproxy.inbox.max-attempts", "1000");
        settings.put("senproxy.admin.token", ADMIN_TOKEN);
        return settings;
    }

    private Map<String, String> sender(XmppTestServer xmpp, String database, EcodevicesStub box, String replica) {
        Map<String, String> settings = common(xmpp, "proxy-a", database, replica);
        settings.put("senproxy.connectors", "ecodevices-source");
        settings.put("ecodevices.address", box.address());
        settings.put("ecodevices.base-name", "urn:dev:prm:09111642617347_");
        settings.put("ecodevices.poll-interval-ms", "100");
        settings.put("senproxy.source.retries", "0");
        settings.put("senproxy.signing.key-file", signingKey.toAbsolutePath().toString());
        return settings;
    }

    private Map<String, String> receiver(XmppTestServer xmpp, String database, WebhookSinkStub sink) {
        Map<String, String> settings = common(xmpp, "proxy-b", database, "b1");
        settings.put("senproxy.connectors", "webhook-sink");
        settings.put("senproxy.inbox.sink", "webhook-sink");
        settings.put("webhook-sink.url", sink.url());
        settings.put("senproxy.signing.required", "true");
        return settings;
    }

    private static long count(String database, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(database);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
