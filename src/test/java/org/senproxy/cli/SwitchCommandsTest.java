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

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.senproxy.testing.TestPostgres;

/** sen-proxy connectors list|disable|enable and peers list|suspend|resume: checked input, audited changes. */
class SwitchCommandsTest {

    @RegisterExtension
    final CommandRunner cli = new CommandRunner();

    @TempDir
    Path home;

    private String database;

    @BeforeEach
    void database() throws Exception {
        database = TestPostgres.newDatabase("switches");
        TestPostgres.migrate(database);
        Files.writeString(
                home.resolve("application.properties"), "senproxy.connectors = ecodevices-source, postgres-sink\n");
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO app (name, jid) VALUES ('b', 'proxy-b@localhost')");
        }
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
    void connectorsAreDisabledWithAReasonAndEnabledAgainAudited() throws Exception {
        assertThat(run("connectors", "disable", "ecodevices-source")).isEqualTo(2); // no --reason
        assertThat(run("connectors", "disable", "nope", "--reason", "x")).isEqualTo(2);
        assertThat(cli.err()).contains("no connector nope here");

        assertThat(run(
                        "connectors",
                        "disable",
                        "ecodevices-source",
                        "--reason",
                        "box firmware update",
                        "--actor",
                        "alice"))
                .isZero();
        assertThat(cli.out()).contains("connector ecodevices-source disabled");
        assertThat(run("connectors", "disable", "ecodevices-source", "--reason", "still", "--actor", "alice"))
                .isZero();
        assertThat(cli.out()).contains("it was already");
        assertThat(run("connectors", "list")).isZero();
        assertThat(cli.out())
                .contains("ecodevices-source")
                .contains("disabled")
                .contains("by alice: still")
                .contains("postgres-sink")
                .contains("enabled")
                .contains("2 connector(s)");

        assertThat(run("connectors", "enable", "ecodevices-source", "--actor", "bob"))
                .isZero();
        assertThat(text("SELECT enabled::text || ' ' || changed_by FROM switch"))
                .isEqualTo("true bob");
        assertThat(text("SELECT string_agg(kind || ' ' || actor || ' ' || coalesce(detail::jsonb ->> 'reason', '-'),"
                        + " ',' ORDER BY seq) FROM audit_log WHERE kind LIKE 'switch.%'"))
                .isEqualTo("switch.connector.disabled alice box firmware update,switch.connector.disabled alice still,"
                        + "switch.connector.enabled bob -");
    }

    @Test
    void peersAreSuspendedByTheirAppNameAndResumedAudited() throws Exception {
        assertThat(run("peers", "suspend", "nobody", "--reason", "x")).isEqualTo(2);
        assertThat(cli.err()).contains("no app nobody");
        assertThat(run("peers", "suspend", "b")).isEqualTo(2);

        assertThat(run("peers", "suspend", "b", "--reason", "contract under review", "--actor", "alice"))
                .isZero();
        assertThat(run("peers", "list")).isZero();
        assertThat(cli.out())
                .contains("b")
                .contains("suspended")
                .contains("contract under review")
                .contains("1 peer(s)");
        assertThat(run("peers", "resume", "b", "--actor", "alice")).isZero();
        assertThat(cli.out()).contains("peer b active");
        assertThat(text("SELECT string_agg(kind || ' ' || actor, ',' ORDER BY seq) FROM audit_log"
                        + " WHERE kind LIKE 'switch.%'"))
                .isEqualTo("switch.peer.suspended alice,switch.peer.resumed alice");
        assertThat(run("peers")).isEqualTo(2); // which command?
    }
}
