package org.senproxy.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.camel.component.mock.MockEndpoint;
import org.jivesoftware.smack.packet.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.senproxy.testing.RouteHarness;

/** routes/outbox-dispatch.camel.yaml: claims due rows, sends them, records every outcome. */
class OutboxDispatchRouteTest {

    private RouteHarness harness;

    @BeforeEach
    void start() throws Exception {
        harness = new RouteHarness(
                Map.of(
                        "senproxy.outbox.max-attempts",
                        "3",
                        "senproxy.outbox.ack-timeout-ms",
                        "60000",
                        "senproxy.outbox.retry-first-ms",
                        "60000"),
                "outbox-dispatch.camel.yaml");
        harness.replaceFrom("outbox-dispatch", "direct:dispatch").start();
        harness.sql("INSERT INTO app (name, jid) VALUES ('b', 'proxy-b@localhost')");
        harness.sql("INSERT INTO consumer (source, app_id) SELECT 'test', id FROM app");
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private String row(int attempts) throws Exception {
        String id = UUID.randomUUID().toString();
        harness.sql("INSERT INTO outbox (message_id, correlation_id, consumer_id, recipient_jid, payload, record_count,"
                + " attempts) SELECT '" + id + "', 'corr-1', id, 'proxy-b@localhost',"
                + " '[{\"n\":\"urn:dev:x:1_power\",\"u\":\"W\",\"t\":1700000000.5,\"v\":42.25}]', 1, " + attempts
                + " FROM consumer");
        return id;
    }

    @Test
    void sendsEachDueRowAsAQuoaliseMessageAndWaitsForItsAck() throws Exception {
        String first = row(0);
        String second = row(0);
        MockEndpoint xmpp = harness.mock("xmpp");
        xmpp.expectedMessageCount(2);

        harness.template().sendBody("direct:dispatch", null);

        xmpp.assertIsSatisfied();
        Message message = xmpp.getExchanges().get(0).getIn().getBody(Message.class);
        assertThat(message.getTo().toString()).isEqualTo("proxy-b@localhost");
        assertThat(message.getStanzaId()).isEqualTo(first);
        assertThat(message.getBody()).isNotBlank();
        String xml = message.toXML(null).toString();
        assertThat(xml)
                .contains("urn:quoalise:0")
                .contains("urn:ietf:params:xml:ns:senml")
                .contains("sender='proxy-a@localhost'")
                .contains("correlation='corr-1'")
                .contains("42.25");
        assertThat(harness.count("SELECT count(*) FROM outbox WHERE status = 'sent' AND attempts = 1"
                        + " AND next_attempt_at > now() + interval '50 seconds'"))
                .isEqualTo(2);
        assertThat(List.of(first, second))
                .contains(xmpp.getExchanges()
                        .get(1)
                        .getIn()
                        .getBody(Message.class)
                        .getStanzaId());
    }

    @Test
    void aRowTheStreamRefusedIsRetriedLaterAndTheOthersGoOn() throws Exception {
        String failing = row(0);
        String passing = row(0);
        MockEndpoint xmpp = harness.mock("xmpp");
        xmpp.whenExchangeReceived(1, e -> {
            throw new IllegalStateException("stream closed");
        });
        xmpp.expectedMessageCount(2);

        harness.template().sendBody("direct:dispatch", null);

        xmpp.assertIsSatisfied();
        assertThat(harness.text("SELECT status || ' ' || attempts || ' ' || last_error FROM outbox WHERE message_id = '"
                        + failing + "'"))
                .isEqualTo("pending 1 IllegalStateException: stream closed");
        assertThat(harness.text("SELECT status FROM outbox WHERE message_id = '" + passing + "'"))
                .isEqualTo("sent");
    }

    @Test
    void nothingIsClaimedWhileTheXmppSessionIsDown() throws Exception {
        row(0);
        harness.link.online(false);
        harness.template().sendBody("direct:dispatch", null);
        assertThat(harness.mock("xmpp").getReceivedCounter()).isZero();
        assertThat(harness.count("SELECT count(*) FROM outbox WHERE status = 'pending' AND attempts = 0"
                        + " AND next_attempt_at <= now()"))
                .isOne();
    }

    @Test
    void aRowOutOfAttemptsBecomesADeadLetterWithItsReason() throws Exception {
        String id = row(3);
        harness.sql("UPDATE outbox SET status = 'sent', sent_at = now() WHERE message_id = '" + id + "'");
        harness.template().sendBody("direct:dispatch", null);
        assertThat(harness.mock("xmpp").getReceivedCounter()).isZero();
        assertThat(harness.text("SELECT status FROM outbox WHERE message_id = '" + id + "'"))
                .isEqualTo("dead");
        assertThat(harness.text("SELECT reason FROM dead_letter WHERE message_id = '" + id + "'"))
                .isEqualTo("no acknowledgement from proxy-b@localhost after 3 attempts");
        assertThat(harness.text("SELECT route_id || ' ' || origin || ' ' || attempts || ' ' || correlation_id"
                        + " FROM dead_letter"))
                .isEqualTo("outbox-dispatch outbox 3 corr-1");
    }
}
