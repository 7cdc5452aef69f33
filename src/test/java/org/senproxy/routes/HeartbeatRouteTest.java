package org.senproxy.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.camel.component.mock.MockEndpoint;
import org.jivesoftware.smack.packet.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.senproxy.observe.ConnectorMetrics;
import org.senproxy.senml.Measurement;
import org.senproxy.testing.QuoaliseData;
import org.senproxy.testing.RouteHarness;

/**
 * routes/heartbeat.camel.yaml, triggered by the test instead of its timer: the heartbeat goes to the monitoring JID as
 * a plain message whose Quoalise data element holds SenML with the proxy's uptime, queue depths, dead letters and
 * connectors; none is sent without a monitoring JID, nor while the XMPP session is down.
 */
class HeartbeatRouteTest {

    private static final String BASE = "urn:dev:senproxy:proxy-a:localhost_";

    private RouteHarness harness;

    private RouteHarness start(Map<String, String> settings) throws Exception {
        harness = new RouteHarness(settings, "heartbeat.camel.yaml");
        harness.replaceFrom("heartbeat", "direct:heartbeat");
        return harness.start();
    }

    @AfterEach
    void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    private void beat() {
        harness.template().sendBody("direct:heartbeat", null);
    }

    @Test
    void theStatusGoesToTheMonitoringJidAsSenml() throws Exception {
        start(Map.of(
                "senproxy.heartbeat.jid",
                "monitor@localhost",
                "senproxy.heartbeat.interval-ms",
                "30000",
                "senproxy.replica",
                "replica-1"));
        harness.sql("INSERT INTO app (name, jid) VALUES ('b', 'proxy-b@localhost')");
        harness.sql("INSERT INTO consumer (source, app_id) SELECT 'ecodevices-source', id FROM app");
        harness.sql("INSERT INTO outbox (message_id, correlation_id, consumer_id, recipient_jid, payload, record_count,"
                + " status, attempts) SELECT gen_random_uuid(), 'c', id, 'proxy-b@localhost', '[]', 1, s, 0"
                + " FROM consumer, unnest(ARRAY['pending', 'pending', 'dead']) AS s");
        harness.sql("INSERT INTO dead_letter (origin, route_id, reason) VALUES ('inbound', 'federation-inbound', 'x')");
        ConnectorMetrics metrics =
                harness.context.getRegistry().lookupByNameAndType("connectorMetrics", ConnectorMetrics.class);
        metrics.polled("ecodevices-source", 5);
        metrics.failed("zabbix-source", "HTTP 500");
        MockEndpoint xmpp = harness.mock("xmpp");
        xmpp.expectedMessageCount(1);

        double before = System.currentTimeMillis() / 1000.0;
        beat();

        xmpp.assertIsSatisfied();
        Message message = xmpp.getExchanges().get(0).getIn().getBody(Message.class);
        assertThat(message.getTo().toString()).isEqualTo("monitor@localhost");
        assertThat(message.getBody()).isEqualTo("sen-proxy proxy-a@localhost (replica-1) is up");
        assertThat(message.getType())
                .as("not kept by the server for an offline monitor")
                .isEqualTo(Message.Type.headline);
        assertThat((Object) message.getExtension("envelope", "urn:senproxy:0"))
                .as("not a federation message")
                .isNull();

        List<Measurement> records = QuoaliseData.senml(message, 0);
        double after = System.currentTimeMillis() / 1000.0;
        for (Measurement m : records) {
            assertThat(m.name()).startsWith(BASE);
            assertThat(m.time()).isBetween(before - 1, after + 1);
        }
        Map<String, Measurement> byName =
                records.stream().collect(Collectors.toMap(m -> m.name().substring(BASE.length()), Function.identity()));
        assertThat(byName.get("replica").stringValue()).isEqualTo("replica-1");
        assertThat(byName.get("uptime").unit()).isEqualTo("s");
        assertThat(byName.get("uptime").value()).isBetween(0.0, 60.0);
        assertThat(byName.get("uptime").updateTime())
                .as("when to expect the next one")
                .isEqualTo(30.0);
        Map<String, Double> counts = new HashMap<>();
        byName.forEach((name, m) -> {
            if ("count".equals(m.unit())) {
                counts.put(name, m.value());
            }
        });
        assertThat(counts)
                .containsAllEntriesOf(Map.of(
                        "outbox/pending",
                        2.0,
                        "outbox/sent",
                        0.0,
                        "outbox/dead",
                        1.0,
                        "inbox/pending",
                        0.0,
                        "inbox/dead",
                        0.0,
                        "dead-letters/inbound",
                        1.0,
                        "dead-letters/outbox",
                        0.0,
                        "connector/ecodevices-source/failures",
                        0.0,
                        "connector/zabbix-source/failures",
                        1.0,
                        "alarms",
                        0.0));
        assertThat(byName.get("connector/ecodevices-source/last-success-age").value())
                .isBetween(0.0, 60.0);
        assertThat(byName)
                .as("zabbix-source never polled well here")
                .doesNotContainKey("connector/zabbix-source/last-success-age");
    }

    @Test
    void noHeartbeatWithoutAMonitoringJid() throws Exception {
        start(Map.of());
        MockEndpoint xmpp = harness.mock("xmpp");
        xmpp.expectedMessageCount(0);
        beat();
        xmpp.assertIsSatisfied();
    }

    @Test
    void noHeartbeatWhileTheSessionIsDownAndNoneKeptForLater() throws Exception {
        start(Map.of("senproxy.heartbeat.jid", "monitor@localhost"));
        harness.link.online(false);
        MockEndpoint xmpp = harness.mock("xmpp");
        beat();
        beat();
        assertThat(xmpp.getReceivedCounter()).isZero();

        harness.link.online(true);
        beat();
        assertThat(xmpp.getReceivedCounter()).as("this one heartbeat only").isEqualTo(1);
    }
}
