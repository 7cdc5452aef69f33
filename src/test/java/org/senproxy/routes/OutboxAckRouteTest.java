package org.senproxy.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.senproxy.federation.Ack;
import org.senproxy.outbox.Acknowledged;
import org.senproxy.outbox.OutboxAcks;
import org.senproxy.testing.RouteHarness;

/** routes/outbox-ack.camel.yaml: a peer's ack settles the row; only the recipient can settle it. */
class OutboxAckRouteTest {

    private RouteHarness harness;
    private String messageId;

    @BeforeEach
    void start() throws Exception {
        harness = new RouteHarness(Map.of(), "outbox-ack.camel.yaml").start();
        harness.sql("INSERT INTO app (name, jid) VALUES ('b', 'proxy-b@localhost')");
        harness.sql("INSERT INTO consumer (source, app_id) SELECT 'test', id FROM app");
        messageId = UUID.randomUUID().toString();
        harness.sql("INSERT INTO outbox (message_id, correlation_id, consumer_id, recipient_jid, payload, record_count,"
                + " status, attempts, sent_at) SELECT '" + messageId
                + "', 'c', id, 'proxy-b@localhost', '[]', 0, 'sent', 1,"
                + " now() FROM consumer");
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private String status() throws Exception {
        return harness.text("SELECT status FROM outbox WHERE message_id = '" + messageId + "'");
    }

    @Test
    void anAcceptedAckFromTheRecipientCompletesTheRow() throws Exception {
        harness.template()
                .sendBody("direct:outbox-ack", Stanzas.accepted("proxy-b@localhost", "proxy-a@localhost", messageId));
        assertThat(status()).isEqualTo("acked");
        assertThat(harness.count("SELECT count(*) FROM outbox WHERE acked_at IS NOT NULL"))
                .isOne();
        // a row from before the transfer column (V11) is described from its payload, as then: an empty pack
        assertThat(harness.text("SELECT detail FROM audit_log WHERE kind = 'transfer.acknowledged'"))
                .contains("\"records\":0");
    }

    @Test
    void theAuditEntryOfAnAckTakesTheDescriptionWrittenWithTheRowNotItsPayload() throws Exception {
        harness.sql("UPDATE outbox SET payload = 'not read back',"
                + " transfer = '{\"series\":[\"urn:dev:prm:1_power\"],\"series_count\":1,\"records\":7}'");
        harness.template()
                .sendBody("direct:outbox-ack", Stanzas.accepted("proxy-b@localhost", "proxy-a@localhost", messageId));
        assertThat(status()).isEqualTo("acked");
        assertThat(harness.text("SELECT detail FROM audit_log WHERE kind = 'transfer.acknowledged'"))
                .isEqualTo("{\"message\":\"" + messageId + "\",\"to\":\"proxy-b@localhost\","
                        + "\"series\":[\"urn:dev:prm:1_power\"],\"series_count\":1,\"records\":7}");
    }

    /**
     * outbox-dispatch marks a batch written in id order, in one transaction, and a peer's ack may arrive before that
     * commits: the ack batch must lock its rows in the same order, or the two deadlock (seen under load).
     */
    @Test
    void anAckBatchWaitsForTheWrittenMarkInsteadOfDeadlockingWithIt() throws Exception {
        String second = UUID.randomUUID().toString();
        harness.sql("INSERT INTO outbox (message_id, correlation_id, consumer_id, recipient_jid, payload, record_count,"
                + " status, attempts, sent_at) SELECT '" + second
                + "', 'c', id, 'proxy-b@localhost', '[]', 0, 'sent', 1,"
                + " now() FROM consumer");
        OutboxAcks outbox = harness.context.getRegistry().lookupByNameAndType("outboxAcks", OutboxAcks.class);
        try (Connection dispatch = DriverManager.getConnection(harness.database, "postgres", "");
                Statement mark = dispatch.createStatement()) {
            dispatch.setAutoCommit(false);
            mark.executeUpdate("UPDATE outbox SET attempts = attempts + 1 WHERE message_id = '" + messageId + "'");
            // the acks of both rows, the later row's first, while dispatch holds the first row
            CompletableFuture<List<Acknowledged>> acked = CompletableFuture.supplyAsync(() -> {
                try {
                    return outbox.acknowledge(List.of(
                            new Ack("proxy-b@localhost", second, true, null),
                            new Ack("proxy-b@localhost", messageId, true, null)));
                } catch (SQLException e) {
                    throw new CompletionException(e);
                }
            });
            harness.awaitLockWait(); // the acks wait on the row dispatch holds
            mark.executeUpdate("UPDATE outbox SET attempts = attempts + 1 WHERE message_id = '" + second + "'");
            dispatch.commit();
            assertThat(acked.get(10, TimeUnit.SECONDS)).hasSize(2);
        }
        assertThat(harness.count("SELECT count(*) FROM outbox WHERE status = 'acked' AND attempts = 2"))
                .isEqualTo(2);
    }

    @Test
    void anAckFromAnyoneElseChangesNothing() throws Exception {
        harness.template()
                .sendBody("direct:outbox-ack", Stanzas.accepted("mallory@localhost", "proxy-a@localhost", messageId));
        harness.template()
                .sendBody(
                        "direct:outbox-ack", Stanzas.accepted("proxy-b@localhost", "proxy-a@localhost", "not-a-uuid"));
        assertThat(status()).isEqualTo("sent");
    }

    @Test
    void aRejectionMakesTheRowADeadLetterWithThePeersReason() throws Exception {
        harness.template()
                .sendBody(
                        "direct:outbox-ack",
                        Stanzas.rejected(
                                "proxy-b@localhost",
                                "proxy-a@localhost",
                                messageId,
                                "invalid SenML: record 0, field 'n'"));
        assertThat(status()).isEqualTo("dead");
        assertThat(harness.text("SELECT reason FROM dead_letter WHERE message_id = '" + messageId + "'"))
                .isEqualTo("rejected by proxy-b@localhost: invalid SenML: record 0, field 'n'");
        assertThat(harness.text("SELECT route_id FROM dead_letter")).isEqualTo("outbox-ack");
    }
}
