package org.senproxy.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.jivesoftware.smack.packet.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.senproxy.testing.RouteHarness;

/**
 * senproxy.outbox.window: at most that many messages per recipient in flight (claimed, not yet acknowledged); the rest
 * wait in the outbox, and an acknowledgement wakes outbox-dispatch to send the next (the poll is 10 minutes away).
 */
class OutboxWindowRouteTest {

    /** Five records a second apart: five rows of one record each, for each of two recipients. */
    private static final String POLL = OutboxDispatchWakeUpRouteTest.POLL;

    private RouteHarness harness;

    @BeforeEach
    void start() throws Exception {
        harness = new RouteHarness(
                Map.of(
                        "senproxy.outbox.poll-interval-ms",
                        "600000",
                        "senproxy.outbox.window",
                        "2",
                        "senproxy.outbox.max-records-per-message",
                        "1",
                        "senproxy.outbox.ack-timeout-ms",
                        "60000"),
                "outbox-append.camel.yaml",
                "outbox-dispatch.camel.yaml",
                "outbox-ack.camel.yaml");
        harness.sql("INSERT INTO app (name, jid) VALUES ('b', 'proxy-b@localhost'), ('c', 'proxy-c@localhost')");
        harness.sql("INSERT INTO consumer (source, app_id) SELECT 'test-source', id FROM app");
        harness.addSource("test-source").start();
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private long inFlight(String recipient) throws Exception {
        return harness.count(
                "SELECT count(*) FROM outbox WHERE status = 'sent' AND recipient_jid = '" + recipient + "'");
    }

    @Test
    void eachRecipientHasAtMostTheWindowInFlightAndEachAckLetsTheNextGo() throws Exception {
        MockEndpoint xmpp = harness.mock("xmpp");
        xmpp.expectedMessageCount(4);
        // two runs of the dispatcher: the one the append wakes, which sends the windows' 4, and the one woken below
        NotifyBuilder twoRuns = new NotifyBuilder(harness.context)
                .fromRoute("outbox-dispatch")
                .whenDone(2)
                .create();

        harness.template().sendBody("direct:test-source", POLL);

        xmpp.assertIsSatisfied();
        // nothing more goes, however often the dispatcher runs
        harness.template().sendBody("seda:outbox-dispatch-wake", null);
        assertThat(twoRuns.matches(10, TimeUnit.SECONDS)).isTrue();
        assertThat(xmpp.getReceivedCounter()).isEqualTo(4);
        assertThat(inFlight("proxy-b@localhost")).isEqualTo(2);
        assertThat(inFlight("proxy-c@localhost")).isEqualTo(2);
        assertThat(harness.count("SELECT count(*) FROM outbox WHERE status = 'pending'"))
                .isEqualTo(6);

        // B acknowledges its first message: one more for B, none for C
        xmpp.reset();
        xmpp.expectedMessageCount(1);
        String first = harness.text("SELECT message_id FROM outbox WHERE status = 'sent'"
                + " AND recipient_jid = 'proxy-b@localhost' ORDER BY id LIMIT 1");
        harness.template()
                .sendBody("direct:outbox-ack", Stanzas.accepted("proxy-b@localhost", RouteHarness.OWN_JID, first));

        xmpp.assertIsSatisfied();
        Message next = xmpp.getExchanges().get(0).getIn().getBody(Message.class);
        assertThat(next.getTo().toString()).isEqualTo("proxy-b@localhost");
        assertThat(inFlight("proxy-b@localhost")).isEqualTo(2);
        assertThat(inFlight("proxy-c@localhost")).isEqualTo(2);
        assertThat(harness.count("SELECT count(*) FROM outbox WHERE status = 'acked'"))
                .isOne();
    }

    @Test
    void aRecipientWithAFullWindowAndALongBacklogDoesNotHoldTheOthersBack() throws Exception {
        // b: two messages in flight (its window is full) and 450 due ones, older than c's one due message; a claim
        // ranks the first 400 due rows (4 x the batch of 100), which would all be b's
        String row =
                "INSERT INTO outbox (message_id, correlation_id, consumer_id, recipient_jid, payload, record_count,"
                        + " status, next_attempt_at) SELECT gen_random_uuid(), 'c', c.id, a.jid,"
                        + " '[{\"n\":\"urn:dev:x:1_power\",\"u\":\"W\",\"t\":1700000000.5,\"v\":42.25}]', 1, %s FROM consumer c"
                        + " JOIN app a ON a.id = c.app_id, generate_series(1, %d) g WHERE a.name = '%s'";
        harness.sql(row.formatted("'sent', now() + interval '1 minute'", 2, "b"));
        harness.sql(row.formatted("'pending', now() - interval '1 hour' + g * interval '1 millisecond'", 450, "b"));
        harness.sql(row.formatted("'pending', now() - interval '1 minute'", 1, "c"));
        MockEndpoint xmpp = harness.mock("xmpp");
        xmpp.expectedMessageCount(1);

        harness.template().sendBody("seda:outbox-dispatch-wake", null);

        xmpp.assertIsSatisfied();
        assertThat(xmpp.getExchanges()
                        .get(0)
                        .getIn()
                        .getBody(Message.class)
                        .getTo()
                        .toString())
                .isEqualTo("proxy-c@localhost");
        assertThat(inFlight("proxy-b@localhost")).isEqualTo(2);
        assertThat(harness.count("SELECT count(*) FROM outbox WHERE status = 'pending'"))
                .isEqualTo(450);
    }
}
