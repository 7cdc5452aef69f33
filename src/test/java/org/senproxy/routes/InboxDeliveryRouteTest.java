package org.senproxy.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.senproxy.observe.ConnectorMetrics;
import org.senproxy.testing.RouteHarness;

/** routes/inbox-delivery.camel.yaml: due inbox rows go to the sink, with retries and dead letters. */
class InboxDeliveryRouteTest {

    private RouteHarness harness;

    @BeforeEach
    void start() throws Exception {
        harness = new RouteHarness(
                Map.of(
                        "senproxy.inbox.sink",
                        "test-sink",
                        "senproxy.inbox.max-attempts",
                        "2",
                        "senproxy.inbox.retry-first-ms",
                        "1"),
                "inbox-delivery.camel.yaml");
        harness.replaceFrom("inbox-delivery", "direct:deliver-due");
        harness.addRoutes(new RouteBuilder() {
                    @Override
                    public void configure() {
                        // a sink may drop every header (the webhook sink does): the row is still marked delivered
                        from("direct:test-sink")
                                .routeId("test-sink")
                                .removeHeaders("*")
                                .to("mock:sink");
                    }
                })
                .start();
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private void row(String messageId, String name) throws Exception {
        harness.sql("INSERT INTO inbox (sender_jid, message_id, correlation_id, format_version, payload, record_count)"
                + " VALUES ('proxy-b@localhost', '" + messageId + "', 'c', 1, '[{\"n\":\"" + name
                + "\",\"u\":\"W\",\"t\":1700000000,\"v\":1}]', 1)");
    }

    private void deliverDue() {
        harness.template().sendBody("direct:deliver-due", null);
    }

    @Test
    void deliversDueRowsAndMarksThemDelivered() throws Exception {
        row("m1", "urn:dev:x:1_power");
        row("m2", "urn:dev:x:2_power");
        MockEndpoint sink = harness.mock("sink");
        sink.expectedMessageCount(2);
        deliverDue();
        sink.assertIsSatisfied();
        assertThat(harness.count("SELECT count(*) FROM inbox WHERE status = 'delivered' AND attempts = 1"))
                .isEqualTo(2);
        deliverDue();
        assertThat(sink.getReceivedCounter()).isEqualTo(2);
        assertThat(harness.context
                        .getRegistry()
                        .lookupByNameAndType("connectorMetrics", ConnectorMetrics.class)
                        .registry()
                        .find("senproxy.sink.records")
                        .tag("sink", "test-sink")
                        .counter()
                        .count())
                .as("records delivered to the sink")
                .isEqualTo(2);
    }

    @Test
    void theSinkAlsoGetsEachMessagesSenmlPackAndIdempotencyKey() throws Exception {
        row("m1", "urn:dev:x:1_power");
        MockEndpoint sink = harness.mock("sink");
        sink.expectedMessageCount(1);
        deliverDue();
        sink.assertIsSatisfied();
        List<?> messages = sink.getExchanges().get(0).getVariable("messages", List.class);
        assertThat(messages).hasSize(1);
        assertThat(((Map<?, ?>) messages.get(0)).get("senml"))
                .isEqualTo("[{\"n\":\"urn:dev:x:1_power\",\"u\":\"W\",\"t\":1700000000,\"v\":1}]");
        assertThat(((Map<?, ?>) messages.get(0)).get("idempotencyKey")).isEqualTo("proxy-b@localhost/m1");
    }

    @Test
    void aFailingSinkIsRetriedThenDeadLetteredWhileOtherRowsFlow() throws Exception {
        row("poison", "urn:dev:x:poison_power");
        row("fine", "urn:dev:x:1_power");
        harness.mock("sink").whenAnyExchangeReceived(e -> {
            if (e.getIn().getBody().toString().contains("poison")) {
                throw new IllegalStateException("sink refuses poison");
            }
        });

        deliverDue();
        assertThat(harness.text(
                        "SELECT status || ' ' || attempts || ' ' || last_error FROM inbox WHERE message_id = 'poison'"))
                .isEqualTo("pending 1 IllegalStateException: sink refuses poison");
        assertThat(harness.text("SELECT status FROM inbox WHERE message_id = 'fine'"))
                .isEqualTo("delivered");

        harness.sql("UPDATE inbox SET next_attempt_at = now() WHERE message_id = 'poison'");
        deliverDue();
        assertThat(harness.text("SELECT status FROM inbox WHERE message_id = 'poison'"))
                .isEqualTo("dead");
        assertThat(harness.text("SELECT reason FROM dead_letter WHERE message_id = 'poison'"))
                .isEqualTo("not delivered after 2 attempts; last error: IllegalStateException: sink refuses poison");
        assertThat(harness.text("SELECT payload FROM dead_letter")).contains("poison_power");
    }

    @Test
    void aRowLeasedToAnotherDeliveryIsNotTakenTwice() throws Exception {
        row("leased", "urn:dev:x:1_power");
        harness.sql("UPDATE inbox SET next_attempt_at = now() + interval '1 minute', claimed_by = 'other'");
        deliverDue();
        assertThat(harness.mock("sink").getReceivedCounter()).isZero();
    }
}
