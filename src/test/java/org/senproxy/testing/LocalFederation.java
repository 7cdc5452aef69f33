package org.senproxy.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import org.awaitility.Awaitility;
import org.senproxy.runtime.ProxyApplication;
import org.senproxy.runtime.Settings;

/**
 * A whole federation on this machine: a real XMPP server, a real PostgreSQL with one database per proxy,
 * an Eco-devices stand-in, and two proxies running the route files of this project folder:
 * A polls the Eco-devices and sends to B; B stores what it receives with the postgres-sink connector.
 * Used by the federation tests and by the quick-start demo.
 */
public final class LocalFederation implements AutoCloseable {

    public static final String A = "proxy-a";
    public static final String B = "proxy-b";
    public static final String METER = "urn:dev:prm:09111642617347_";

    public final XmppTestServer xmpp;
    public final EcodevicesStub ecodevices;
    public final String databaseA;
    public final String databaseB;
    public ProxyApplication proxyA;
    /** Proxy B in this JVM, or null when it runs from the packaged jar ({@link #receiverProcess}). */
    public ProxyApplication proxyB;
    /** Proxy B as {@code java -jar target/sen-proxy.jar}, configured by environment variables alone. */
    public Process receiverProcess;

    public Path receiverLog;
    private final Map<String, String> passwords = new HashMap<>();
    private final Map<String, Integer> managementPorts = new HashMap<>();
    private final Map<String, Integer> statusPorts = new HashMap<>();
    private Path signingKeyA;

    private LocalFederation(XmppTestServer xmpp, EcodevicesStub ecodevices, String databaseA, String databaseB) {
        this.xmpp = xmpp;
        this.ecodevices = ecodevices;
        this.databaseA = databaseA;
        this.databaseB = databaseB;
    }

    /**
     * Starts servers and both proxies; A starts polling at once. {@code tuning} is applied to both proxies
     * (poll intervals, timeouts).
     */
    public static LocalFederation start(Map<String, String> tuning) throws Exception {
        return start(tuning, false);
    }

    /**
     * Same as {@link #start(Map)}; with {@code receiverFromJar}, proxy B runs as {@code java -jar
     * target/sen-proxy.jar} in this folder, its settings given as environment variables (SENPROXY_DB_URL...),
     * its output in target/receiver-*.log.
     */
    public static LocalFederation start(Map<String, String> tuning, boolean receiverFromJar) throws Exception {
        return start(tuning, receiverFromJar, Map.of(), Map.of(), METER + "*");
    }

    /**
     * Same as {@link #start(Map, boolean)}, with settings of A's own ({@code onlyA}: e.g. more connectors in
     * senproxy.connectors, each sending to B under the consent) and of B's own ({@code onlyB}) on top, the consent
     * and B's subscription covering {@code scope}.
     */
    public static LocalFederation start(
            Map<String, String> tuning,
            boolean receiverFromJar,
            Map<String, String> onlyA,
            Map<String, String> onlyB,
            String scope)
            throws Exception {
        XmppTestServer xmpp = XmppTestServer.fromEnvironment();
        xmpp.start();
        LocalFederation federation = new LocalFederation(
                xmpp, new EcodevicesStub(), TestPostgres.newDatabase("proxy_a"), TestPostgres.newDatabase("proxy_b"));
        federation.register(A);
        federation.register(B);
        federation.register("stranger");
        federation.seed(
                List.of(onlyA.getOrDefault(
                                "senproxy.connectors", tuning.getOrDefault("senproxy.connectors", "ecodevices-source"))
                        .split(",")),
                scope);
        Map<String, String> settingsA = federation.settingsA(tuning);
        settingsA.putAll(onlyA);
        Map<String, String> settingsB = federation.settingsB(tuning);
        settingsB.putAll(onlyB);
        federation.proxyA = new ProxyApplication(Path.of("."), settingsA);
        if (receiverFromJar) {
            federation.startReceiverProcess(settingsB);
        } else {
            federation.proxyB = new ProxyApplication(Path.of("."), settingsB);
            federation.proxyB.start();
            federation.awaitSinkTable();
        }
        federation.proxyA.start();
        return federation;
    }

    /**
     * B's postgres-sink creates its table from a timer route once it has started: a message that reached B before
     * would fail its first delivery (an ERROR line, then delivered again by inbox-delivery). A starts once it is there.
     */
    private void awaitSinkTable() {
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() ->
                        "true".equals(text(databaseB, "SELECT (to_regclass('public.measurement') IS NOT NULL)::text")));
    }

    private void register(String user) throws Exception {
        String password = user + "-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
        xmpp.register(user, password);
        passwords.put(user, password);
    }

    public String password(String user) {
        return passwords.get(user);
    }

    public static String jid(String user) {
        return user + "@localhost";
    }

    /**
     * A knows B and sends it the Eco-devices series under a data owner's consent, signed with its key; B knows A, with
     * A's public key, holds a subscription under that consent, and takes signed messages only. Each of {@code sources}
     * (A's connectors) sends under the consent.
     */
    private void seed(List<String> sources, String scope) throws Exception {
        migrate(databaseA);
        migrate(databaseB);
        try (Connection c = DriverManager.getConnection(databaseA, "postgres", "")) {
            c.createStatement().execute("INSERT INTO app (name, jid) VALUES ('b', '" + jid(B) + "')");
            for (String sql : Consented.sender(sources, "b", scope, Consented.REF)) {
                c.createStatement().execute(sql);
            }
        }
        ECKey keyA = new ECKeyGenerator(Curve.P_256).keyID("proxy-a-1").generate();
        signingKeyA = Files.createTempFile(Path.of("target"), "proxy-a-key-", ".jwk");
        Files.writeString(signingKeyA, keyA.toJSONString());
        try (Connection c = DriverManager.getConnection(databaseB, "postgres", "")) {
            c.createStatement().execute("INSERT INTO app (name, jid) VALUES ('a', '" + jid(A) + "')");
            c.createStatement().execute(Consented.receiver("a", scope, Consented.REF));
            c.createStatement()
                    .execute("INSERT INTO app_key (app_id, kid, jwk) SELECT id, 'proxy-a-1', '"
                            + keyA.toPublicJWK().toJSONString() + "' FROM app WHERE name = 'a'");
        }
    }

    private static void migrate(String url) {
        TestPostgres.migrate(url);
    }

    private Map<String, String> common(String user, String database, Map<String, String> tuning) {
        Map<String, String> settings = new HashMap<>();
        settings.put("camel.main.name", user);
        settings.put("senproxy.replica", user);
        settings.put("senproxy.xmpp.jid", jid(user));
        settings.put("senproxy.xmpp.password", passwords.get(user));
        settings.put("senproxy.xmpp.host", xmpp.host());
        settings.put("senproxy.xmpp.port", Integer.toString(xmpp.port()));
        settings.put("senproxy.xmpp.truststore", xmpp.trustStore().toString());
        settings.put("senproxy.xmpp.truststore-password", xmpp.trustStorePassword());
        settings.put("senproxy.db.url", database);
        settings.put("senproxy.db.user", "postgres");
        settings.put("senproxy.db.pool-size", "4");
        settings.put(
                "camel.management.port", Integer.toString(managementPorts.computeIfAbsent(user, u -> FreePort.next())));
        settings.put("camel.server.port", Integer.toString(statusPorts.computeIfAbsent(user, u -> FreePort.next())));
        settings.putAll(tuning);
        return settings;
    }

    private Map<String, String> settingsA(Map<String, String> tuning) {
        Map<String, String> settings = common(A, databaseA, tuning);
        settings.put("senproxy.signing.key-file", signingKeyA.toString());
        settings.put("senproxy.connectors", "ecodevices-source");
        settings.put("ecodevices.address", ecodevices.address());
        settings.put("ecodevices.base-name", METER);
        return settings;
    }

    private Map<String, String> settingsB(Map<String, String> tuning) {
        Map<String, String> settings = common(B, databaseB, tuning);
        settings.put("senproxy.signing.required", "true");
        settings.put("senproxy.connectors", "postgres-sink");
        settings.put("senproxy.inbox.sink", "postgres-sink");
        return settings;
    }

    private void startReceiverProcess(Map<String, String> settings) throws IOException {
        Path jar = Path.of("target", "sen-proxy.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("No " + jar + ": run mvn package (failsafe runs after it)");
        }
        receiverLog = Files.createTempFile(Path.of("target"), "receiver-", ".log");
        ProcessBuilder builder = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(receiverLog.toFile());
        settings.forEach((key, value) -> builder.environment().put(Settings.environmentName(key), value));
        // JSON log lines, with a line per hop of every message: tests follow a correlation id through them
        builder.environment().put("SENPROXY_LOG_FORMAT", "json");
        builder.environment().put("SENPROXY_LOG_FLOW", "DEBUG");
        receiverProcess = builder.start();
    }

    /** The base URL of a proxy's status server (/status, /status.json, /catalogue.json). */
    public String status(String user) {
        return "http://127.0.0.1:" + statusPorts.get(user);
    }

    /** The base URL of a proxy's management server (/observe/metrics, /observe/health). */
    public String management(String user) {
        return "http://127.0.0.1:" + managementPorts.get(user);
    }

    /**
     * The value of one series of a proxy's Prometheus metrics, e.g.
     * {@code senproxy_source_records_total{connector="ecodevices-source"}}; NaN when it is not there.
     */
    public double metric(String user, String series) throws Exception {
        String text = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(management(user) + "/observe/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return Double.NaN;
    }

    /** The HTTP status of a proxy's readiness endpoint: 200 ready, 503 not. */
    public int readiness(String user) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(management(user) + "/observe/health/ready"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    /** Starts or stops A's Eco-devices poller. */
    public void polling(boolean on) throws Exception {
        if (on) {
            proxyA.context().getRouteController().startRoute("ecodevices-source");
        } else {
            proxyA.context().getRouteController().stopRoute("ecodevices-source");
        }
    }

    public long count(String database, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The first column of the first row, as text. */
    public String text(String database, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Override
    public void close() throws Exception {
        if (proxyA != null) {
            proxyA.stop();
        }
        if (proxyB != null) {
            proxyB.stop();
        }
        if (receiverProcess != null) {
            receiverProcess.destroy();
            if (!receiverProcess.waitFor(30, TimeUnit.SECONDS)) {
                receiverProcess.destroyForcibly();
            }
        }
        ecodevices.close();
        xmpp.stop();
    }
}
