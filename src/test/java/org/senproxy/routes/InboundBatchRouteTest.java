package org.senproxy.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.camel.Exchange;
import org.apache.camel.processor.aggregate.AggregateProcessor;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.senproxy.audit.AuditTrail;
import org.senproxy.testing.LogCapture;
import org.senproxy.testing.RouteHarness;
import org.senproxy.testing.TestPostgres;

/**
 * federation-inbound and outbox-ack with batches of several messages, settled on their own threads, as a proxy runs
 * them: one commit per batch, every message acknowledged once it is stored (a resend too), nothing stored twice,
 * nothing acknowledged when the batch cannot be stored.
 */
class InboundBatchRouteTest {

    private static final String PEER = "proxy-b@localhost";
    private static final String ME = RouteHarness.OWN_JID;

    private RouteHarness harness;

    @BeforeEach
    void start() throws Exception {
        harness = RouteHarness.forInbound(Map.of(
                "senproxy.inbound.batch-size",
                "3",
                "senproxy.inbound.batch-ms",
                "50",
                "senproxy.inbound.batch-threads",
                "2",
                "senproxy.outbox.ack-batch-size",
                "3",
                "senproxy.outbox.ack-batch-ms",
                "50",
                "senproxy.outbox.ack-batch-threads",
                "1"));
        harness.sql("INSERT INTO app (name, jid) VALUES ('b', '" + PEER + "')");
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private static String record(int i) {
        return "[{\"n\":\"urn:dev:x:" + i + "_power\",\"u\":\"W\",\"t\":1700000000,\"v\":" + i + "}]";
    }

    /** The message ids the mock XMPP session was asked to acknowledge as accepted. */
    private List<String> acceptedAcks() {
        List<String> ids = new ArrayList<>();
        for (Exchange e : harness.mock("xmpp").getExchanges()) {
            Message m = e.getIn().getBody(Message.class);
            if (m.getExtension("ack", "urn:senproxy:0") instanceof StandardExtensionElement ack
                    && "accepted".equals(ack.getAttributeValue("status"))) {
                ids.add(ack.getAttributeValue("id"));
            }
        }
        return ids;
    }

    @Test
    void messagesAreStoredAndDeliveredInBatchesAndEachIsAcknowledged() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ids.add(UUID.randomUUID().toString());
            harness.receive(Stanzas.data(PEER, ME, ids.get(i), record(i)));
        }
        harness.receive(Stanzas.data(PEER, ME, ids.get(0), record(0))); // a resend of the first

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(acceptedAcks())
                    .as("each message acknowledged, the resend too")
                    .containsExactlyInAnyOrderElementsOf(concat(ids, ids.get(0)));
            assertThat(harness.count("SELECT count(*) FROM inbox WHERE status = 'delivered'"))
                    .isEqualTo(7);
        });
        assertThat(harness.count("SELECT count(*) FROM inbox"))
                .as("stored once each")
                .isEqualTo(7);
        List<Integer> perDelivery = new ArrayList<>();
        for (Exchange e : harness.mock("sink").getExchanges()) {
            perDelivery.add(e.getIn().getBody(List.class).size());
        }
        assertThat(perDelivery.stream().mapToInt(Integer::intValue).sum())
                .as("records delivered")
                .isEqualTo(7);
        assertThat(perDelivery).as("records per sink call").anyMatch(n -> n > 1);
        assertThat(harness.count("SELECT count(*) FROM audit_log WHERE kind = 'transfer.received'"))
                .isEqualTo(7);
        assertThat(new AuditTrail(dataSource(), Clock.systemUTC()).verify().intact())
                .isTrue();
    }

    @Test
    void aBatchThatCannotBeStoredIsNotAcknowledgedAndItsResendIs() throws Exception {
        harness.sql("ALTER TABLE inbox RENAME TO inbox_away");
        String first = UUID.randomUUID().toString();
        String second = UUID.randomUUID().toString();
        try (LogCapture commit = new LogCapture("federation-inbound-commit")) {
            harness.receive(Stanzas.data(PEER, ME, first, record(1)));
            harness.receive(Stanzas.data(PEER, ME, second, record(2)));
            // the batch (or two, if the 50 ms tick fell between them) is complete after 50 ms, and fails: both
            // messages are given up with a WARN line, and nothing may be acknowledged
            await().atMost(Duration.ofSeconds(10)).until(() -> notStored(commit.warnings()) == 2);
        }
        assertThat(acceptedAcks()).isEmpty();

        harness.sql("ALTER TABLE inbox_away RENAME TO inbox");
        harness.receive(Stanzas.data(PEER, ME, first, record(1)));
        harness.receive(Stanzas.data(PEER, ME, second, record(2)));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(acceptedAcks()).containsExactlyInAnyOrder(first, second);
            assertThat(harness.count("SELECT count(*) FROM inbox WHERE status = 'delivered'"))
                    .isEqualTo(2);
        });
    }

    @Test
    void acknowledgementsAreSettledInBatchesAndOnlyByTheRecipient() throws Exception {
        harness.sql("INSERT INTO consumer (source, app_id) SELECT 'test', id FROM app");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(UUID.randomUUID().toString());
            harness.sql("INSERT INTO outbox (message_id, correlation_id, consumer_id, recipient_jid, payload,"
                    + " record_count, status, attempts, sent_at) SELECT '" + ids.get(i) + "', 'c', id, '" + PEER
                    + "', '" + record(i) + "', 1, 'sent', 1, now() FROM consumer");
        }
        harness.receive(Stanzas.accepted("mallory@localhost", ME, ids.get(4))); // not the recipient
        for (int i = 0; i < 4; i++) {
            harness.receive(Stanzas.accepted(PEER, ME, ids.get(i)));
        }
        harness.receive(Stanzas.accepted(PEER, ME, ids.get(0))); // twice

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(harness.count(
                                "SELECT count(*) FROM outbox WHERE status = 'acked' AND acked_at IS NOT NULL"))
                        .isEqualTo(4));
        // the last batch, whose acks change nothing, has run: all 6 acks were gathered and no batch is left
        AggregateProcessor batches = harness.context.getProcessor("outbox-ack-batch", AggregateProcessor.class);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> batches.getStatistics().getTotalIn() == 6
                        && batches.getAggregationRepository().getKeys().isEmpty()
                        && batches.getInProgressCompleteExchanges() == 0
                        && harness.context.getInflightRepository().size("outbox-ack-settle") == 0);
        assertThat(harness.text("SELECT status FROM outbox WHERE message_id = '" + ids.get(4) + "'"))
                .isEqualTo("sent");
        assertThat(harness.count("SELECT count(*) FROM audit_log WHERE kind = 'transfer.acknowledged'"))
                .isEqualTo(4);
    }

    /** How many messages the WARN lines of federation-inbound-commit say were not stored. */
    private static int notStored(String warnings) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) message\\(s\\) not stored")
                .matcher(warnings);
        int n = 0;
        while (m.find()) {
            n += Integer.parseInt(m.group(1));
        }
        return n;
    }

    private PGSimpleDataSource dataSource() {
        PGSimpleDataSource db = TestPostgres.dataSource(harness.database);
        return db;
    }

    private static List<String> concat(List<String> ids, String extra) {
        List<String> all = new ArrayList<>(ids);
        all.add(extra);
        return all;
    }
}
