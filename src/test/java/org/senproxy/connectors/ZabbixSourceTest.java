package org.senproxy.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.senproxy.senml.Measurement;
import org.senproxy.testing.LogCapture;
import org.senproxy.testing.RouteHarness;
import org.senproxy.testing.ZabbixStub;

/**
 * connectors/zabbix-source.camel.yaml against a stand-in speaking Zabbix's JSON-RPC: values become SenML records,
 * each poll asks only for what is newer than the last one, and a refused token enters nothing.
 */
class ZabbixSourceTest {

    private static final String SITE = "urn:dev:zabbix:townhall_";

    private ZabbixStub zabbix;
    private RouteHarness harness;
    private final LogCapture logs = new LogCapture("zabbix-source");

    private void start(String token) throws Exception {
        zabbix = new ZabbixStub();
        harness = RouteHarness.forSource(
                        "zabbix-source",
                        Map.of(
                                "zabbix.url",
                                zabbix.url(),
                                "zabbix.api-token",
                                token,
                                "zabbix.item-ids",
                                "23296",
                                "zabbix.base-name",
                                SITE,
                                "senproxy.source.retries",
                                "1",
                                "senproxy.source.retry-first-ms",
                                "10"))
                .start();
    }

    @AfterEach
    void stop() {
        logs.close();
        harness.close();
        zabbix.close();
    }

    @Test
    void valuesEnterTheOutboxAsSenmlAndTheNextPollAsksOnlyForNewerOnes() throws Exception {
        start(ZabbixStub.TOKEN);
        harness.poll();

        List<Measurement> records = harness.outboxRecords();
        assertThat(records).extracting(Measurement::name).containsOnly(SITE + "energy.power.active");
        assertThat(records).extracting(Measurement::unit).containsOnly("W");
        assertThat(records).extracting(Measurement::time).containsExactly(1680307200.0, 1680309000.0, 1680310800.0);
        assertThat(records).extracting(Measurement::value).containsExactly(1268.0, 830.0, 254.0);
        assertThat(harness.text("SELECT value FROM watermark WHERE source = 'zabbix-source'"))
                .isEqualTo("1680310800");

        harness.poll();
        assertThat(zabbix.requests().get(3).get("params").get("time_from").asLong())
                .isEqualTo(1680310801L);
        assertThat(harness.outboxRecords()).hasSize(3);

        zabbix.addValue(1680312600, "412.5");
        harness.poll();
        assertThat(harness.outboxRecords()).hasSize(4).last().satisfies(m -> {
            assertThat(m.time()).isEqualTo(1680312600.0);
            assertThat(m.value()).isEqualTo(412.5);
        });
        assertThat(harness.text("SELECT value FROM watermark WHERE source = 'zabbix-source'"))
                .isEqualTo("1680312600");
    }

    @Test
    void theRequestsSpeakZabbixJsonRpc() throws Exception {
        start(ZabbixStub.TOKEN);
        harness.poll();
        assertThat(zabbix.requests())
                .extracting(r -> r.get("method").asText())
                .containsExactly("item.get", "history.get");
        assertThat(zabbix.requests().get(1).get("params").get("itemids").get(0).asText())
                .isEqualTo("23296");
        assertThat(zabbix.requests().get(1).get("params").get("time_from").asLong())
                .isEqualTo(1L);
        assertThat(zabbix.requests().get(1).get("jsonrpc").asText()).isEqualTo("2.0");
    }

    @Test
    void aRefusedTokenEntersNothingAndKeepsTheWatermark() throws Exception {
        start("wrong-token");
        harness.poll();
        assertThat(harness.count("SELECT count(*) FROM outbox")).isZero();
        assertThat(harness.count("SELECT count(*) FROM watermark")).isZero();
        assertThat(logs.warnings())
                .contains("zabbix-source: poll failed")
                .contains("Zabbix item.get failed: Invalid params. Not authorized.")
                .doesNotContain("wrong-token");
    }
}
