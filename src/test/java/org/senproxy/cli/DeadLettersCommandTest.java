package org.senproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.senproxy.testing.TestPostgres;

/** {@code sen-proxy dead-letters list|replay} on a real database. */
class DeadLettersCommandTest {

    @RegisterExtension
    final CommandRunner cli = new CommandRunner();

    private String database;
    private long outboxLetter;
    private long inboundLetter;

    @BeforeEach
    void database() throws Exception {
        database = TestPostgres.newDatabase("dead");
        TestPostgres.migrate(database);
        sql(
                "INSERT INTO app (name, jid) VALUES ('b', 'proxy-b@localhost')",
                "INSERT INTO consumer (source, app_id) SELECT 'src', id FROM app",
                "INSERT INTO outbox (message_id, correlation_id, consumer_id, recipient_jid, payload, record_count,"
                        + " status, attempts, last_error) SELECT gen_random_uuid(), 'poll-1', id, 'proxy-b@localhost',"
                        + " '[]', 3, 'dead', 20, 'timeout' FROM consumer",
                "INSERT INTO dead_letter (origin, row_id, message_id, route_id, peer_jid, reason, attempts,"
                        + " correlation_id) SELECT 'outbox', id, message_id::text, 'outbox-dispatch', recipient_jid,"
                        + " 'no acknowledgement from proxy-b@localhost after 20 attempts', 20, 'poll-1' FROM outbox",
                "INSERT INTO dead_letter (origin, message_id, route_id, peer_jid, reason) VALUES ('inbound', 'x',"
                        + " 'federation-inbound', 'stranger@localhost', 'unknown sender')",
                "INSERT INTO control_message (direction, peer_jid, message_id, type, about, payload, status, attempts,"
                        + " reason) VALUES ('out', 'proxy-b@localhost', 'c-1', 'key-announce', 'a-2', '{}', 'dead', 8,"
                        + " 'no acknowledgement after 8 attempts'), ('out', 'proxy-b@localhost', 'c-2', 'consent-granted',"
                        + " NULL, '{}', 'acked', 1, NULL)");
        outboxLetter = number("SELECT id FROM dead_letter WHERE origin = 'outbox'");
        inboundLetter = number("SELECT id FROM dead_letter WHERE origin = 'inbound'");
    }

    private int run(String... args) {
        List<String> all = new ArrayList<>(List.of("dead-letters"));
        all.addAll(List.of(args));
        all.addAll(List.of("--db-url", database, "--db-user", "postgres"));
        return cli.run(all.toArray(String[]::new));
    }

    @Test
    void listsThenReplaysOneDeadLetter() throws Exception {
        assertThat(run("list")).isZero();
        assertThat(cli.out())
                .contains(outboxLetter + "  ")
                .contains("outbox (outbox-dispatch)")
                .contains("corr poll-1")
                .contains("no acknowledgement from proxy-b@localhost after 20 attempts")
                .contains("unknown sender")
                .contains("2 dead letter(s)")
                .contains("key-announce to proxy-b@localhost (a-2)  8 attempt(s)  id c-1")
                .contains("no acknowledgement after 8 attempts")
                .contains("1 dead control message(s)")
                .doesNotContain("c-2");

        assertThat(run("replay", Long.toString(outboxLetter))).isZero();
        assertThat(cli.out()).contains("replayed");
        assertThat(text("SELECT status || ' ' || attempts || ' ' || coalesce(last_error, '-') FROM outbox"))
                .isEqualTo("pending 0 -");

        assertThat(run("replay", Long.toString(outboxLetter))).isEqualTo(1);
        assertThat(cli.out()).contains("already replayed");
        assertThat(run("replay", Long.toString(inboundLetter))).isEqualTo(1);
        assertThat(cli.out()).contains("not replayable");
        assertThat(run("replay", "999999")).isEqualTo(1);

        assertThat(run("list")).isZero();
        assertThat(cli.out()).contains("1 dead letter(s)");
        assertThat(run("list", "--all")).isZero();
        assertThat(cli.out()).contains("replayed 20").contains("2 dead letter(s)");
    }

    @Test
    void replayAllQueuesEveryRowAgain() throws Exception {
        assertThat(run("replay", "--all")).isZero();
        assertThat(cli.out()).contains("1 dead letter(s) replayed");
        assertThat(text("SELECT status FROM outbox")).isEqualTo("pending");
        assertThat(run("replay")).isEqualTo(2);
    }

    private void sql(String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    private String text(String query) throws Exception {
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private long number(String query) throws Exception {
        return Long.parseLong(text(query));
    }
}
