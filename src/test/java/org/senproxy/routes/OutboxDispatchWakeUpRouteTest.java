package org.senproxy.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.senproxy.testing.RouteHarness;

/**
 * routes/outbox-dispatch.camel.yaml woken by routes/outbox-append.camel.yaml: rows are sent as soon as they are
 * appended, and a full batch is followed by the next at once, not at the next poll (here 10 minutes away).
 */
class OutboxDispatchWakeUpRouteTest {

    /** Five records a second apart: five rows, one record each; read again, five duplicates. */
    static final String POLL = "[{\"bn\":\"urn:dev:prm:1_\",\"bt\":1700000000,\"n\":\"power\",\"u\":\"W\",\"v\":1},"
            + "{\"n\":\"power\",\"u\":\"W\",\"t\":-1,\"v\":2},{\"n\":\"power\",\"u\":\"W\",\"t\":-2,\"v\":3},"
            + "{\"n\":\"power\",\"u\":\"W\",\"t\":-3,\"v\":4},{\"n\":\"power\",\"u\":\"W\",\"t\":-4,\"v\":5}]";

    private RouteHarness harness;

    @BeforeEach
    void start() throws Exception {
        harness = new RouteHarness(
                Map.of(
                        "senproxy.outbox.poll-interval-ms",
                        "600000",
                        "senproxy.outbox.batch-size",
                        "2",
                        "senproxy.outbox.max-records-per-message",
                        "1",
                        "senproxy.outbox.ack-timeout-ms",
                        "60000"),
                "outbox-append.camel.yaml",
                "outbox-dispatch.camel.yaml");
        harness.sql("INSERT INTO app (name, jid) VALUES ('b', 'proxy-b@localhost')");
        harness.sql("INSERT INTO consumer (source, app_id) SELECT 'test-source', id FROM app");
        harness.addSource("test-source").start();
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void appendedRowsGoOutAtOnceBatchAfterBatch() throws Exception {
        MockEndpoint xmpp = harness.mock("xmpp");
        // batches of 2: 2 (full, so again at once), 2 (full), 1
        xmpp.expectedMessageCount(5);
        xmpp.setResultWaitTime(10_000);

        harness.template().sendBody("direct:test-source", POLL);

        xmpp.assertIsSatisfied();
        assertThat(harness.count("SELECT count(*) FROM outbox WHERE status = 'sent' AND attempts = 1"))
                .isEqualTo(5);
    }

    @Test
    void aPollThatAddsNothingWakesNothing() throws Exception {
        harness.template().sendBody("direct:test-source", POLL);
        MockEndpoint xmpp = harness.mock("xmpp");
        xmpp.expectedMessageCount(5);
        xmpp.setResultWaitTime(10_000);
        xmpp.assertIsSatisfied();
        xmpp.reset();
        // the same records again: duplicates, no row, no dispatch; a stale row would be sent only by the poll
        harness.sql("UPDATE outbox SET next_attempt_at = now() - interval '1 second'");
        xmpp.expectedMessageCount(0);
        xmpp.setAssertPeriod(1_000);

        harness.template().sendBody("direct:test-source", POLL);

        xmpp.assertIsSatisfied();
    }
}
