package org.senproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.senproxy.federation.Invitation;
import org.senproxy.testing.TestPostgres;

/** sen-proxy peers invite|join|list, without a running proxy: checked input, one-line errors, exit 2. */
class EnrollCommandsTest {

    @RegisterExtension
    final CommandRunner cli = new CommandRunner();

    @TempDir
    Path home;

    private String database;

    @BeforeEach
    void database() throws Exception {
        database = TestPostgres.newDatabase("enroll_cli");
        TestPostgres.migrate(database);
    }

    private void settings(boolean withKey) throws Exception {
        Path key = home.resolve("signing.jwk");
        Files.writeString(
                key, new ECKeyGenerator(Curve.P_256).keyID("k1").generate().toJSONString());
        Files.writeString(
                home.resolve("application.properties"),
                "senproxy.xmpp.jid = proxy-a@localhost\n"
                        + (withKey ? "senproxy.signing.key-file = " + key + "\n" : ""));
    }

    private int run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--home", home.toString(), "--db-url", database, "--db-user", "postgres"));
        return cli.run(all.toArray(String[]::new));
    }

    private String text(String query) throws Exception {
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(query)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    @Test
    void invitePrintsOneInvitationStringAndListShowsIt() throws Exception {
        settings(true);
        assertThat(run("peers", "invite", "--name", "city-monitor", "--valid-for", "2h", "--actor", "alice"))
                .isZero();
        String printed = cli.out().strip();
        assertThat(printed.lines()).hasSize(1);
        Invitation invitation = Invitation.parse(printed);
        assertThat(invitation.jid()).isEqualTo("proxy-a@localhost");
        assertThat(text("SELECT name FROM invitation WHERE id = '" + invitation.id() + "'"))
                .isEqualTo("city-monitor");
        assertThat(text("SELECT count(*) FROM invitation WHERE proof_key = '" + invitation.secret() + "'"))
                .isEqualTo("0");
        assertThat(text("SELECT actor FROM audit_log WHERE kind = 'enrollment.invited'"))
                .isEqualTo("alice");
        assertThat(run("peers", "list")).isZero();
        assertThat(cli.out()).contains("invitation " + invitation.id() + " for city-monitor: open until");
    }

    @Test
    void badInputIsOneLineAndExitTwo() throws Exception {
        settings(false);
        assertThat(run("peers", "invite", "--name", "city-monitor")).isEqualTo(2);
        assertThat(cli.err().strip())
                .startsWith("senproxy.signing.key-file is not set")
                .doesNotContain("\n");
        settings(true);
        assertThat(run("peers", "invite", "--name", "city-monitor", "--valid-for", "tomorrow"))
                .isEqualTo(2);
        assertThat(cli.err()).contains("'tomorrow' is not a duration");
        assertThat(run("peers", "invite", "--name", "city-monitor", "--valid-for", "31d"))
                .isEqualTo(2);
        assertThat(cli.err()).contains("at most 30 days");
        assertThat(run("peers", "join", "senproxy-invite:v1:bm90IGpzb24", "--name", "data-holder"))
                .isEqualTo(2);
        assertThat(cli.err()).contains("the invitation is damaged");
        assertThat(run("peers", "join", "hello", "--name", "data-holder")).isEqualTo(2);
        assertThat(cli.err()).contains("not an invitation");
        // its own invitation
        assertThat(run("peers", "invite", "--name", "self")).isZero();
        assertThat(run("peers", "join", cli.out().strip(), "--name", "data-holder"))
                .isEqualTo(2);
        assertThat(cli.err()).contains("this proxy's own");
        assertThat(text("SELECT count(*) FROM app")).isEqualTo("0");
    }

    @Test
    void joinQueuesTheRequestAndListShowsThePeerPending() throws Exception {
        settings(true);
        Invitation invitation = Invitation.create("proxy-b@localhost", "thumb");
        assertThat(run("peers", "join", invitation.encode(), "--name", "data-holder"))
                .isZero();
        assertThat(cli.out()).contains("queued for proxy-b@localhost");
        assertThat(text("SELECT type || ' ' || status FROM control_message")).isEqualTo("enroll-request pending");
        assertThat(run("peers", "list")).isZero();
        assertThat(cli.out())
                .containsPattern(
                        "data-holder +proxy-b@localhost +pending \\(request pending, 0 attempt\\(s\\)\\) +no key");
        // joining again while pending (no answer came) replaces the pending enrollment and its request
        assertThat(run("peers", "join", invitation.encode(), "--name", "data-holder-2"))
                .isZero();
        assertThat(text("SELECT string_agg(name, ',') FROM app")).isEqualTo("data-holder-2");
        assertThat(text("SELECT string_agg(status, ',' ORDER BY id) FROM control_message"))
                .isEqualTo("dead,pending");
        // an enrolled peer is not replaced
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("UPDATE app SET enrollment = 'enrolled'");
        }
        assertThat(run("peers", "join", invitation.encode(), "--name", "other")).isEqualTo(2);
        assertThat(cli.err()).contains("exists already");

        // its catalogue: nothing told yet either way; an unknown peer is bad input
        assertThat(run("peers", "catalogue", "data-holder-2")).isZero();
        assertThat(cli.out())
                .contains("data-holder-2 (proxy-b@localhost)")
                .contains("offers here: nothing told yet")
                .contains("offered there: nothing yet");
        assertThat(run("peers", "catalogue", "nobody")).isEqualTo(2);
        assertThat(cli.err()).contains("no peer nobody here");
    }
}
