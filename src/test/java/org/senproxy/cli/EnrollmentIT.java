package org.senproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.senproxy.federation.AppKeys;
import org.senproxy.federation.FederationCodec;
import org.senproxy.federation.Invitation;
import org.senproxy.federation.OutgoingMessage;
import org.senproxy.runtime.ProxyApplication;
import org.senproxy.testing.EcodevicesStub;
import org.senproxy.testing.FreePort;
import org.senproxy.testing.TestPostgres;
import org.senproxy.testing.XmppTestServer;

/**
 * Two proxies with empty databases on a real XMPP server (XmppTestServer.fromEnvironment(): Vysper, or ejabberd or
 * Prosody with SENPROXY_IT_XMPP) enroll with each other by the commands alone: {@code peers invite} on A, {@code peers
 * join} on B. First an altered invitation, refused over the federation with its reason (B's pending app removed,
 * nothing registered at A); then the real one: both sides list the other as enrolled with its key, and A's readings
 * reach B signed under a consent granted and subscribed with the commands; last, the spent invitation is refused.
 * The second test is issue 20's acceptance: from two empty databases to data flowing by the control plane's commands
 * alone (invite, join, consent request and approval), then a key rotation while records flow, the old key revoked,
 * and the consent revoked.
 */
class EnrollmentIT {

    private static final String METER = "urn:dev:prm:09111642617347_";

    @RegisterExtension
    final CommandRunner cli = new CommandRunner();

    @TempDir
    Path folder;

    private XmppTestServer xmpp;
    private EcodevicesStub ecodevices;
    private final List<ProxyApplication> proxies = new ArrayList<>();
    private final Map<String, Map<String, String>> settingsOf = new HashMap<>();

    @AfterEach
    void stop() throws Exception {
        for (ProxyApplication proxy : proxies) {
            proxy.stop();
        }
        if (xmpp != null) {
            xmpp.stop();
        }
        if (ecodevices != null) {
            ecodevices.close();
        }
    }

    /** A proxy's home (application.properties for the commands) and the proxy itself, running. */
    private record Proxy(String user, String password, String jid, Path home, String database, ECKey key) {}

    private Proxy proxy(String user, Map<String, String> own) throws Exception {
        String password = user + "-" + Long.toHexString(System.nanoTime());
        xmpp.register(user, password);
        String jid = user + "@localhost";
        String database = TestPostgres.newDatabase("enrollment_" + user.replace('-', '_'));
        ECKey key = new ECKeyGenerator(Curve.P_256).keyID(user + "-1").generate();
        Path home = Files.createDirectories(folder.resolve(user));
        Path keyFile = home.resolve("signing.jwk");
        Files.writeString(keyFile, key.toJSONString());
        Files.writeString(
                home.resolve("application.properties"),
                "senproxy.xmpp.jid = " + jid + "\nsenproxy.signing.key-file = " + keyFile + "\n");
        Map<String, String> settings = new HashMap<>();
        settings.put("camel.main.name", user);
        settings.put("senproxy.replica", user);
        settings.put("senproxy.xmpp.jid", jid);
        settings.put("senproxy.xmpp.password", password);
        settings.put("senproxy.xmpp.host", xmpp.host());
        settings.put("senproxy.xmpp.port", Integer.toString(xmpp.port()));
        settings.put("senproxy.xmpp.truststore", xmpp.trustStore().toString());
        settings.put("senproxy.xmpp.truststore-password", xmpp.trustStorePassword());
        settings.put("senproxy.db.url", database);
        settings.put("senproxy.db.user", "postgres");
        settings.put("senproxy.db.pool-size", "4");
        settings.put("senproxy.signing.key-file", keyFile.toString());
        settings.put("senproxy.control.poll-interval-ms", "200");
        settings.put("senproxy.control.retry-ms", "2000");
        settings.put("camel.management.port", Integer.toString(FreePort.next()));
        settings.put("camel.server.port", Integer.toString(FreePort.next()));
        settings.putAll(own);
        settingsOf.put(user, settings);
        start(settings);
        return new Proxy(user, password, jid, home, database, key);
    }

    private void start(Map<String, String> settings) throws Exception {
        ProxyApplication application = new ProxyApplication(Path.of("."), settings);
        application.start();
        proxies.add(application);
    }

    /** Stops the proxy and starts it again on its database with {@code changed} settings (a new connector file...). */
    private void restart(Proxy proxy, Map<String, String> changed) throws Exception {
        String name = proxy.user();
        ProxyApplication running = proxies.stream()
                .filter(p -> name.equals(p.context().getName()))
                .findFirst()
                .orElseThrow();
        running.stop();
        proxies.remove(running);
        settingsOf.get(name).putAll(changed);
        start(settingsOf.get(name));
    }

    private int run(Proxy proxy, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--home", proxy.home().toString(), "--db-url", proxy.database(), "--db-user", "postgres"));
        return cli.run(all.toArray(String[]::new));
    }

    private static String text(Proxy proxy, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(proxy.database(), "postgres", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** An operator's key, trusted to sign that proxy's consent and subscription changes. */
    private Path operator(Proxy proxy, String name) throws Exception {
        Path key = proxy.home().resolve(name + ".jwk");
        assertThat(cli.run("keys", "generate", "--out", key.toString())).isZero();
        Path publicKey = proxy.home().resolve(name + ".public.jwk");
        Files.writeString(publicKey, cli.out().strip());
        assertThat(run(proxy, "keys", "trust", "--actor", name, "--jwk", publicKey.toString()))
                .as(cli.err())
                .isZero();
        return key;
    }

    private Proxy holder() throws Exception {
        return proxy(
                "holder-a",
                Map.of(
                        "senproxy.connectors",
                        "ecodevices-source",
                        "ecodevices.address",
                        ecodevices.address(),
                        "ecodevices.base-name",
                        METER,
                        "ecodevices.poll-interval-ms",
                        "500"));
    }

    private Proxy monitor() throws Exception {
        return proxy(
                "monitor-b", Map.of("senproxy.connectors", "postgres-sink", "senproxy.inbox.sink", "postgres-sink"));
    }

    private static long count(Proxy proxy, String sql) throws Exception {
        return Long.parseLong(text(proxy, sql));
    }

    /** Waits up to a minute for {@code sql} to read {@code expected}. */
    private static void await(Proxy proxy, String sql, String expected) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!expected.equals(text(proxy, sql)) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(text(proxy, sql)).as(sql).isEqualTo(expected);
    }

    /** Runs a command until its output contains {@code expected} (at most a minute); returns the output. */
    private String awaitOutput(Proxy proxy, String expected, String... args) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        do {
            assertThat(run(proxy, args)).as(cli.err()).isZero();
            if (cli.out().contains(expected)) {
                return cli.out();
            }
            Thread.sleep(250);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no '" + expected + "' in the output of " + List.of(args) + ":\n" + cli.out());
    }

    @Test
    void twoOrganisationsSetUpRotateAndRevokeOverTheFederationByTheCommandsAlone() throws Exception {
        xmpp = XmppTestServer.fromEnvironment();
        xmpp.start();
        ecodevices = new EcodevicesStub();
        Proxy a = holder();
        Proxy b = monitor();

        // 1-2: enrollment; only the invitation string travels between the two organisations
        assertThat(run(a, "peers", "invite", "--name", "city-monitor", "--actor", "alice"))
                .as(cli.err())
                .isZero();
        String invitation = cli.out().strip();
        assertThat(run(b, "peers", "join", invitation, "--name", "data-holder", "--wait", "60s", "--actor", "bob"))
                .as(cli.out() + cli.err())
                .isZero();

        // 3: B asks for a consent, A's operator approves it with the data owner's key; B subscribes by itself and
        // A's connector whose declared series the scope covers sends under it
        assertThat(run(
                        b,
                        "consents",
                        "request",
                        "--peer",
                        "data-holder",
                        "--user",
                        "household-7",
                        "--scope",
                        METER + "*",
                        "--until",
                        "2099-01-01T00:00:00Z",
                        "--data-from",
                        "2000-01-01T00:00:00Z",
                        "--purpose",
                        "municipal energy monitoring",
                        "--actor",
                        "bob"))
                .as(cli.err())
                .isZero();
        String request = cli.out().strip();
        awaitOutput(a, request, "consents", "requests");
        assertThat(cli.out()).contains("pending").contains("municipal energy monitoring");
        Path alice = operator(a, "alice");
        assertThat(run(a, "consents", "approve", request, "--key", alice.toString(), "--actor", "alice"))
                .as(cli.err())
                .isZero();
        String consent = cli.out().strip();
        awaitOutput(b, consent + "  active", "subscriptions", "list");
        await(a, "SELECT string_agg(source, ',') FROM consumer", "ecodevices-source");
        await(b, "SELECT count(*) > 0 FROM inbox WHERE sender_jid = '" + a.jid() + "'", "t");
        assertThat(run(b, "consents", "requests", "--all")).isZero();
        assertThat(cli.out()).contains(request).contains("approved").contains("consent " + consent);
        // 5: B lists what A offers (its enrollment's answer), with what B's subscription may receive of it
        assertThat(run(b, "peers", "catalogue", "data-holder")).as(cli.err()).isZero();
        assertThat(cli.out()).contains("offers here: ").contains("may receive: subscription " + consent);
        assertThat(run(a, "peers", "catalogue", "city-monitor")).as(cli.err()).isZero();
        assertThat(cli.out()).contains("sent under consent " + consent);

        // 5, later: A's connector declares other series (a second meter took the box's place) from its next start: B
        // is told, sees them covered by its subscription, and their records flow
        restart(a, Map.of("ecodevices.base-name", METER + "house2/"));
        awaitOutput(b, "offers here: 5 series (version 1", "peers", "catalogue", "data-holder");
        assertThat(cli.out())
                .contains(METER + "house2/consumption/power/apparent/raw")
                .contains("may receive: subscription " + consent)
                .doesNotContain(METER + "consumption/power/apparent/raw");
        await(b, "SELECT count(*) > 0 FROM measurement WHERE name LIKE '" + METER + "house2/%'", "t");
        assertThat(text(b, "SELECT detail FROM audit_log WHERE kind = 'catalogue.received'"))
                .contains("\"covered\":[\"" + METER + "house2/");

        // 4: A rotates its key while records flow: announced to B, signing switches once B acknowledged it
        assertThat(run(a, "keys", "rotate", "--grace", "5m", "--overlap", "1h", "--actor", "alice"))
                .as(cli.err())
                .isZero();
        assertThat(cli.out()).contains("announced to 1 peer(s)");
        await(a, "SELECT count(*) FROM own_key WHERE state = 'active' AND kid <> 'holder-a-1'", "1");
        await(b, "SELECT count(*) FROM app_key", "2");
        long ackedAtSwitch = count(a, "SELECT count(*) FROM outbox WHERE status = 'acked'");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (count(a, "SELECT count(*) FROM outbox WHERE status = 'acked'") < ackedAtSwitch + 5
                && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(count(a, "SELECT count(*) FROM outbox WHERE status = 'acked'"))
                .isGreaterThanOrEqualTo(ackedAtSwitch + 5);
        // nothing lost or refused across the switch
        assertThat(count(a, "SELECT count(*) FROM outbox WHERE status = 'dead'"))
                .isZero();
        assertThat(count(b, "SELECT count(*) FROM dead_letter")).isZero();
        assertThat(text(b, "SELECT detail FROM audit_log WHERE kind = 'key.announced'"))
                .contains("\"replaces\":\"holder-a-1\"");

        // then the old key is revoked: a message signed with it is refused by B, with the reason
        assertThat(run(a, "keys", "revoke", "holder-a-1", "--reason", "laptop stolen", "--actor", "alice"))
                .as(cli.err())
                .isZero();
        await(b, "SELECT revoked_reason FROM app_key WHERE kid = 'holder-a-1'", "laptop stolen");
        XMPPTCPConnection forger = xmpp.connect(a.user(), a.password(), "forger");
        try {
            forger.sendStanza(new FederationCodec(a.jid(), a.key(), Clock.systemUTC())
                    .toStanza(new Forged(
                            "forged-1",
                            b.jid(),
                            consent,
                            "[{\"n\":\"" + METER + "forged\",\"u\":\"W\",\"v\":1,\"t\":1.7E9}]")));
            await(
                    b,
                    "SELECT count(*) > 0 FROM dead_letter WHERE reason LIKE '%holder-a-1%revoked%laptop stolen%'",
                    "t");
        } finally {
            forger.disconnect();
        }
        assertThat(count(b, "SELECT count(*) FROM inbox WHERE payload LIKE '%forged%'"))
                .isZero();

        // last, A revokes the consent: B's subscription ends by itself, with the reason
        assertThat(run(
                        a,
                        "consents",
                        "revoke",
                        consent,
                        "--reason",
                        "the household moved",
                        "--key",
                        alice.toString(),
                        "--actor",
                        "alice"))
                .as(cli.err())
                .isZero();
        awaitOutput(b, "data-holder revoked the consent: the household moved", "subscriptions", "list");
        assertThat(cli.out()).contains(consent + "  ended");
    }

    /** A data message as an outbox row would give it, made by hand to be signed with a revoked key. */
    private record Forged(String messageId, String recipientJid, String consentRef, String payload)
            implements OutgoingMessage {
        @Override
        public String correlationId() {
            return "forged";
        }

        @Override
        public String recordsDigest() {
            return null;
        }
    }

    @Test
    void twoEmptyProxiesEnrollByTheCommandsAlone() throws Exception {
        xmpp = XmppTestServer.fromEnvironment();
        xmpp.start();
        ecodevices = new EcodevicesStub();
        Proxy a = holder();
        Proxy b = monitor();

        assertThat(run(a, "peers", "invite", "--name", "city-monitor", "--valid-for", "1h", "--actor", "alice"))
                .as(cli.err())
                .isZero();
        String invitation = cli.out().strip();
        Invitation parsed = Invitation.parse(invitation);
        assertThat(parsed.jid()).isEqualTo(a.jid());
        assertThat(parsed.fingerprint()).isEqualTo(AppKeys.thumbprint(a.key()));

        // an altered invitation: refused by A over the federation, with its reason
        String altered = new Invitation(
                        parsed.id(),
                        parsed.jid(),
                        Invitation.create(a.jid(), "x").secret(),
                        parsed.fingerprint())
                .encode();
        assertThat(run(b, "peers", "join", altered, "--name", "data-holder", "--wait", "60s"))
                .as(cli.out() + cli.err())
                .isEqualTo(1);
        assertThat(cli.out()).contains("data-holder: refused: the proof does not match");
        assertThat(text(b, "SELECT count(*) FROM app")).isEqualTo("0");
        assertThat(text(a, "SELECT count(*) FROM app")).isEqualTo("0");
        assertThat(text(a, "SELECT detail FROM audit_log WHERE kind = 'enrollment.refused'"))
                .contains("the proof does not match");

        // the real one
        assertThat(run(b, "peers", "join", invitation, "--name", "data-holder", "--wait", "60s", "--actor", "bob"))
                .as(cli.out() + cli.err())
                .isZero();
        assertThat(cli.out()).contains("data-holder: enrolled");
        assertThat(run(b, "peers", "list")).isZero();
        assertThat(cli.out())
                .containsPattern(
                        "data-holder +" + a.jid() + " +enrolled .*key holder-a-1 " + AppKeys.thumbprint(a.key()));
        assertThat(run(a, "peers", "list")).isZero();
        assertThat(cli.out())
                .containsPattern(
                        "city-monitor +" + b.jid() + " +enrolled .*key monitor-b-1 " + AppKeys.thumbprint(b.key()))
                .contains("used ")
                .contains(" by " + b.jid());
        // data from A to B, signed with the keys exchanged, under a consent set with the commands alone
        Path alice = operator(a, "alice");
        Path bob = operator(b, "bob");
        assertThat(run(
                        a,
                        "consents",
                        "grant",
                        "--user",
                        "household-7",
                        "--app",
                        "city-monitor",
                        "--scope",
                        METER + "*",
                        "--until",
                        "2099-01-01T00:00:00Z",
                        "--data-from",
                        "2000-01-01T00:00:00Z",
                        "--source",
                        "ecodevices-source",
                        "--key",
                        alice.toString(),
                        "--actor",
                        "alice"))
                .as(cli.err())
                .isZero();
        String consent = cli.out().strip();
        assertThat(run(
                        b,
                        "subscriptions",
                        "add",
                        "--app",
                        "data-holder",
                        "--consent",
                        consent,
                        "--scope",
                        METER + "*",
                        "--key",
                        bob.toString(),
                        "--actor",
                        "bob"))
                .as(cli.err())
                .isZero();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (Long.parseLong(text(b, "SELECT count(*) FROM inbox")) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        assertThat(text(b, "SELECT count(*) > 0 FROM inbox WHERE sender_jid = '" + a.jid() + "'"))
                .isEqualTo("t");
        // B stores, then acknowledges: the ack may still be on its way
        await(a, "SELECT count(*) > 0 FROM outbox WHERE status = 'acked'", "t");

        // the invitation is spent: joining with it again (B forgot A) is refused
        try (Connection c = DriverManager.getConnection(b.database(), "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("UPDATE app SET name = 'forgotten', jid = 'forgotten@localhost' WHERE name = 'data-holder'");
        }
        assertThat(run(b, "peers", "join", invitation, "--name", "data-holder", "--wait", "60s"))
                .isEqualTo(1);
        assertThat(cli.out()).contains("refused: invitation " + parsed.id() + " was used already");
        assertThat(text(a, "SELECT count(*) FROM app")).isEqualTo("1");
    }
}
