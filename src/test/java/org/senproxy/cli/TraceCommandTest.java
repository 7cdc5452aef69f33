package org.senproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.senproxy.testing.TestPostgres;

/** {@code sen-proxy trace}: one batch's path through the sender's and the receiver's tables. */
class TraceCommandTest {

    private static final String PAYLOAD = "[{\"n\":\"urn:dev:prm:1_power\",\"u\":\"W\",\"v\":830,\"t\":1700000000},"
            + "{\"n\":\"urn:dev:prm:1_power\",\"u\":\"W\",\"v\":912,\"t\":1700001800}]";

    @RegisterExtension
    final CommandRunner cli = new CommandRunner();

    private String sender;
    private String receiver;
    private final String message = UUID.randomUUID().toString();
    private final String other = UUID.randomUUID().toString();

    @BeforeEach
    void databases() throws Exception {
        sender = TestPostgres.newDatabase("trace_a");
        receiver = TestPostgres.newDatabase("trace_b");
        for (String url : new String[] {sender, receiver}) {
            TestPostgres.migrate(url);
        }
        sql(
                sender,
                "INSERT INTO app (name, jid) VALUES ('b', 'proxy-b@localhost')",
                "INSERT INTO consumer (source, app_id) SELECT 'ecodevices-source', id FROM app",
                "INSERT INTO outbox (message_id, correlation_id, consumer_id, recipient_jid, payload, record_count,"
                        + " status, attempts, created_at, sent_at, acked_at) SELECT '" + message + "', 'poll-7',"
                        + " id, 'proxy-b@localhost', '" + PAYLOAD + "', 2, 'acked', 1, now() - interval '2 s',"
                        + " now() - interval '1.9 s', now() - interval '1.8 s' FROM consumer",
                "INSERT INTO outbox (message_id, correlation_id, consumer_id, recipient_jid, payload, record_count,"
                        + " status, attempts) SELECT '" + other + "', 'poll-8', id, 'proxy-b@localhost',"
                        + " '[{\"n\":\"urn:dev:prm:1_power\",\"v\":1,\"t\":1700003600}]', 1, 'dead', 20 FROM consumer",
                "INSERT INTO dead_letter (origin, message_id, route_id, peer_jid, reason, attempts, correlation_id)"
                        + " VALUES ('outbox', '" + other + "', 'outbox-dispatch', 'proxy-b@localhost',"
                        + " 'no acknowledgement from proxy-b@localhost after 20 attempts', 20, 'poll-8')");
        sql(
                receiver,
                "INSERT INTO inbox (sender_jid, message_id, correlation_id, format_version, payload, record_count,"
                        + " status, attempts, received_at, delivered_at) VALUES ('proxy-a@localhost', '" + message
                        + "',"
                        + " 'poll-7', 1, '" + PAYLOAD + "', 2, 'delivered', 1, now() - interval '1.85 s',"
                        + " now() - interval '1.84 s')");
    }

    private static void sql(String url, String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
                Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    private int trace(String... args) {
        List<String> all = new ArrayList<>(List.of("trace"));
        all.addAll(List.of(args));
        all.addAll(List.of(
                "--db-url", sender, "--db-user", "postgres", "--peer-db-url", receiver, "--peer-db-user", "postgres"));
        return cli.run(all.toArray(String[]::new));
    }

    @Test
    void aCorrelationIdShowsTheOutboxRowThenTheInboxRowOfTheOtherProxy() {
        assertThat(trace("poll-7")).isZero();
        String[] lines = cli.out().trim().split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0])
                .contains("this proxy")
                .contains("outbox")
                .contains("message " + message)
                .contains("to proxy-b@localhost")
                .contains("2 record(s)")
                .contains("acked after 1 attempt(s)")
                .contains("sent +0.100 s")
                .contains("acked +0.200 s")
                .contains("corr poll-7");
        assertThat(lines[1])
                .contains("peer")
                .contains("inbox")
                .contains("from proxy-a@localhost")
                .contains("delivered after 1 delivery attempt(s)");
    }

    @Test
    void aMessageIdFindsTheSameBatch() {
        assertThat(trace(message)).isZero();
        assertThat(cli.out().trim().split("\n")).hasSize(2);
    }

    @Test
    void aRecordFindsItsBatch() {
        assertThat(trace("--series", "urn:dev:prm:1_power", "--at", "2023-11-14T22:43:20Z"))
                .isZero();
        assertThat(cli.out()).contains("corr poll-7").doesNotContain("poll-8");

        assertThat(trace("--series", "urn:dev:prm:1_power", "--at", "1700003600"))
                .isZero();
        assertThat(cli.out())
                .contains("outbox")
                .contains("dead after 20 attempt(s)")
                .contains("dead_letter")
                .contains("in route outbox-dispatch: no acknowledgement from proxy-b@localhost");
    }

    @Test
    void jsonLinesForTools() {
        assertThat(trace("poll-7", "--json")).isZero();
        assertThat(cli.out())
                .contains("\"table\":\"outbox\"")
                .contains("\"table\":\"inbox\"")
                .contains("\"correlationId\":\"poll-7\"");
    }

    @Test
    void nothingFoundExitsOne() {
        assertThat(trace("no-such-id")).isEqualTo(1);
        assertThat(cli.err()).contains("Nothing found for no-such-id");
    }
}
