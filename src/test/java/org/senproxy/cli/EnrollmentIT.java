package org.senproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.senproxy.federation.AppKeys;
import org.senproxy.federation.Invitation;
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
    private record Proxy(String jid, Path home, String database, ECKey key) {}

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
        ProxyApplication application = new ProxyApplication(Path.of("."), settings);
        application.start();
        proxies.add(application);
        return new Proxy(jid, home, database, key);
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

    @Test
    void twoEmptyProxiesEnrollByTheCommandsAlone() throws Exception {
        xmpp = XmppTestServer.fromEnvironment();
        xmpp.start();
        ecodevices = new EcodevicesStub();
        Proxy a = proxy(
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
        Proxy b = proxy(
                "monitor-b", Map.of("senproxy.connectors", "postgres-sink", "senproxy.inbox.sink", "postgres-sink"));

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
        assertThat(text(a, "SELECT count(*) > 0 FROM outbox WHERE status = 'acked'"))
                .isEqualTo("t");

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
