package org.senproxy.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiConsumer;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

/**
 * One sender A and {@code n} replicas of receiver B (same bare JID, same database, each its own resource and replica
 * name), all as processes of their own ({@code java -jar target/sen-proxy.jar}), against the XMPP server of
 * a running XMPP server (the caller's: it is not stopped here, so that a shared one is not cut). Accounts of their
 * own ({@value #A}, {@value #B}), so that other tests on a shared server keep theirs. Messages are put straight into A's outbox ({@link #enqueue}), signed by A
 * when sent; B takes signed messages only and stores them with postgres-sink. Each replica's work is what it verified
 * ({@code senproxy_inbound_signatures_verified_total}): every signed message is verified before it is stored, so the
 * sum over the replicas divided by the messages is the work per message (1.0 when each message reaches one replica).
 * Used by {@code ReceiverReplicasIT} and {@code bench.ReceiverReplicasBenchmark}.
 */
public final class ReceiverReplicas implements AutoCloseable {

    public static final String A = "replicas-a";
    public static final String B = "replicas-b";
    public static final String SCOPE = "urn:dev:prm:09111642617347_*";
    private static final String SERIES = "urn:dev:prm:09111642617347_consumption/power/active/raw";

    private final XmppTestServer xmpp;
    private final String databaseA;
    private final String databaseB;
    private final Map<String, String> passwords = new HashMap<>();
    private final Path signingKey;
    private final Map<String, String> extra;
    private final ProxyProcess sender;
    private final List<ProxyProcess> receivers = new ArrayList<>();
    private long nextTime = 1_700_000_000L;

    /**
     * Starts the databases and A, and {@code replicas} replicas of B; returns when all are ready.
     *
     * @param jvm the proxies' JVM flags
     */
    public ReceiverReplicas(XmppTestServer xmpp, int replicas, Path logs, List<String> jvm) throws Exception {
        this(xmpp, replicas, logs, jvm, Map.of());
    }

    /** The same, with {@code settings} for every proxy on top (e.g. senproxy.xmpp.address-replicas). */
    public ReceiverReplicas(
            XmppTestServer xmpp, int replicas, Path logs, List<String> jvm, Map<String, String> settings)
            throws Exception {
        this(xmpp, replicas, logs, jvm, settings, (replica, its) -> {});
    }

    /**
     * The same, each replica of B's settings changed last by {@code adjust} (called with the replica's number, from
     * 1, and its settings: e.g. its database through a {@link TcpForwarder}).
     */
    public ReceiverReplicas(
            XmppTestServer xmpp,
            int replicas,
            Path logs,
            List<String> jvm,
            Map<String, String> settings,
            BiConsumer<Integer, Map<String, String>> adjust)
            throws Exception {
        this.extra = Map.copyOf(settings);
        this.xmpp = xmpp;
        for (String user : List.of(A, B)) {
            String password = user + "-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
            xmpp.register(user, password);
            passwords.put(user, password);
        }
        databaseA = TestPostgres.newDatabase("replicas_a");
        databaseB = TestPostgres.newDatabase("replicas_b");
        TestPostgres.migrate(databaseA);
        TestPostgres.migrate(databaseB);
        ECKey keyA = new ECKeyGenerator(Curve.P_256).keyID("proxy-a-1").generate();
        Files.createDirectories(logs);
        signingKey = Files.writeString(logs.resolve("proxy-a-key.jwk"), keyA.toJSONString());
        execute(databaseA, "INSERT INTO app (name, jid) VALUES ('b', '" + B + "@localhost')");
        for (String sql : Consented.sender("replicas-bench", "b", SCOPE, Consented.REF)) {
            execute(databaseA, sql);
        }
        execute(databaseB, "INSERT INTO app (name, jid) VALUES ('a', '" + A + "@localhost')");
        execute(databaseB, Consented.receiver("a", SCOPE, Consented.REF));
        execute(
                databaseB,
                "INSERT INTO app_key (app_id, kid, jwk) SELECT id, 'proxy-a-1', '"
                        + keyA.toPublicJWK().toJSONString() + "' FROM app WHERE name = 'a'");

        Map<String, String> a = common(A, databaseA, "a1");
        a.put("senproxy.signing.key-file", signingKey.toAbsolutePath().toString());
        sender = new ProxyProcess("sender", a, logs, jvm);
        for (int i = 1; i <= replicas; i++) {
            Map<String, String> b = common(B, databaseB, "b" + i);
            b.put("senproxy.connectors", "postgres-sink");
            b.put("senproxy.inbox.sink", "postgres-sink");
            b.put("senproxy.signing.required", "true");
            adjust.accept(i, b);
            receivers.add(new ProxyProcess("receiver-" + i, b, logs, jvm));
        }
        for (ProxyProcess receiver : receivers) {
            receiver.start();
        }
        sender.start();
        List<ProxyProcess> all = new ArrayList<>(receivers);
        all.add(sender);
        awaitReady(all);
        // ready is not enough: until A has seen B's replicas' presence it sends to B's bare JID, which the server
        // delivers to every replica (each would process those messages)
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (replicasKnownToSender() < replicas) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "A did not learn B's " + replicas + " replicas in 60 s: see " + sender.log());
            }
            Thread.sleep(100);
        }
    }

    /** The replicas of B that A said came online, each once (from A's log: their resources may be the server's). */
    public long replicasKnownToSender() throws IOException {
        return said(sender, PEER_REPLICA, " is online").stream().distinct().count();
    }

    /** How many times A said a replica of B went away. */
    public long replicasGoneToSender() throws IOException {
        return said(sender, PEER_REPLICA, " went away").size();
    }

    /** How many times A said a replica of B came online (again). */
    public long replicasOnlineToSender() throws IOException {
        return said(sender, PEER_REPLICA, " is online").size();
    }

    private static final String PEER_REPLICA = "Peer replica " + B + "@localhost/";

    /** The resources named in the lines of the proxy's log that hold {@code prefix} and end with {@code suffix}. */
    private static List<String> said(ProxyProcess proxy, String prefix, String suffix) throws IOException {
        List<String> resources = new ArrayList<>();
        for (String line : Files.readAllLines(proxy.log(), StandardCharsets.UTF_8)) {
            int at = line.indexOf(prefix);
            if (at >= 0 && line.endsWith(suffix)) {
                resources.add(line.substring(at + prefix.length(), line.length() - suffix.length()));
            }
        }
        return resources;
    }

    private Map<String, String> common(String user, String database, String replica) {
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
        settings.put("senproxy.outbox.poll-interval-ms", "200");
        settings.put("senproxy.outbox.ack-timeout-ms", "5000");
        settings.put("senproxy.outbox.lease-ms", "5000");
        settings.put("senproxy.outbox.max-attempts", "1000");
        settings.put("senproxy.inbox.poll-interval-ms", "200");
        // a row a killed replica stored and had not delivered yet is delivered by another after this lease
        settings.put("senproxy.inbox.lease-ms", "3000");
        settings.putAll(extra);
        return settings;
    }

    public static void awaitReady(List<ProxyProcess> proxies) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!proxies.stream().allMatch(p -> p.readiness() == 200)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "proxies not ready in 120 s: see " + proxies.get(0).log());
            }
            Thread.sleep(100);
        }
    }

    public ProxyProcess sender() {
        return sender;
    }

    public List<ProxyProcess> receivers() {
        return receivers;
    }

    /** Puts {@code messages} messages of {@code records} records each into A's outbox, due now; one transaction. */
    public void enqueue(int messages, int records) throws Exception {
        try (Connection c = DriverManager.getConnection(databaseA, "postgres", "");
                PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO outbox (message_id, correlation_id, consumer_id, recipient_jid, payload,"
                                + " record_count, consent_ref) SELECT ?::uuid, ?, k.id, '" + B
                                + "@localhost', ?, ?, c.ref"
                                + " FROM consumer k JOIN consent c ON c.id = k.consent_id"
                                + " WHERE k.source = 'replicas-bench'")) {
            c.setAutoCommit(false);
            for (int m = 0; m < messages; m++) {
                StringBuilder payload = new StringBuilder("[");
                for (int r = 0; r < records; r++) {
                    payload.append(r == 0 ? "" : ",")
                            .append("{\"n\":\"")
                            .append(SERIES)
                            .append("\",\"u\":\"W\",\"t\":")
                            .append(nextTime++)
                            .append(",\"v\":")
                            .append(r + 1)
                            .append('}');
                }
                payload.append(']');
                String id = UUID.randomUUID().toString();
                ps.setString(1, id);
                ps.setString(2, id);
                ps.setString(3, payload.toString());
                ps.setInt(4, records);
                ps.addBatch();
            }
            ps.executeBatch();
            c.commit();
        }
    }

    /** Messages in B's inbox (each (sender, message id) once). */
    public long stored() throws Exception {
        return count(databaseB, "SELECT count(*) FROM inbox");
    }

    /** Rows in B's sink table, and distinct (name, time) among them. */
    public long[] sinkRows() throws Exception {
        return new long[] {
            count(databaseB, "SELECT count(*) FROM public.measurement"),
            count(databaseB, "SELECT count(DISTINCT (name, time)) FROM public.measurement")
        };
    }

    /**
     * Transactions committed in B's database so far (pg_stat_database, whoever committed them: the replicas, and
     * PostgreSQL's own statistics reads), read after PostgreSQL's statistics flush.
     */
    public long receiverCommits() throws Exception {
        try (Connection c = DriverManager.getConnection(databaseB, "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("SELECT pg_stat_force_next_flush()");
        }
        return count(databaseB, "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()");
    }

    public long acked() throws Exception {
        return count(databaseA, "SELECT count(*) FROM outbox WHERE status = 'acked'");
    }

    /** Outbox sends beyond the first. */
    public long resends() throws Exception {
        return count(databaseA, "SELECT coalesce(sum(attempts - 1), 0) FROM outbox WHERE attempts > 1");
    }

    /** Waits until B stored {@code messages} messages and A saw them all acknowledged; false after the timeout. */
    public boolean awaitStoredAndAcked(long messages, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (stored() >= messages && acked() >= messages) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** Waits until B's sink holds {@code rows} rows; false after the timeout. */
    public boolean awaitSinkRows(long rows, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (count(databaseB, "SELECT count(*) FROM public.measurement") >= rows) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** The messages a replica verified (its work); -1 when it does not answer. */
    public static double verified(ProxyProcess proxy) {
        return metric(proxy, "senproxy_inbound_signatures_verified_total");
    }

    /** The value of a metric without labels; -1 when the proxy does not answer, 0 when the metric is not there. */
    public static double metric(ProxyProcess proxy, String name) {
        try {
            String text = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(
                                            "http://127.0.0.1:" + proxy.managementPort() + "/observe/metrics"))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            double sum = 0;
            for (String line : text.split("\n")) {
                if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return sum;
        } catch (Exception e) {
            return -1;
        }
    }

    private static void execute(String database, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long count(String database, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public void close() throws Exception {
        for (ProxyProcess receiver : receivers) {
            receiver.close();
        }
        sender.close();
    }
}
