package org.senproxy.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.senproxy.senml.Measurement;
import org.senproxy.testing.DataConnectStub;
import org.senproxy.testing.LogCapture;
import org.senproxy.testing.RouteHarness;

/**
 * connectors/dataconnect-source.camel.yaml against a stand-in for Enedis DataConnect: OAuth 2.0 client credentials
 * (one token for several polls), windows of at most 7 days that catch up poll after poll, load-curve points
 * stamped at the start of their interval in UTC, and Enedis' refusals entering nothing.
 */
class DataConnectSourceTest {

    private DataConnectStub enedis;
    private RouteHarness harness;
    private final LogCapture logs = new LogCapture("dataconnect-source");

    private void start(Map<String, String> extra) throws Exception {
        enedis = new DataConnectStub();
        Map<String, String> settings = new HashMap<>(Map.of(
                "dataconnect.api-url",
                enedis.url(),
                "dataconnect.client-id",
                DataConnectStub.CLIENT_ID,
                "dataconnect.client-secret",
                DataConnectStub.CLIENT_SECRET,
                "dataconnect.usage-point-id",
                DataConnectStub.PRM,
                "dataconnect.start-date",
                "2023-03-30",
                "senproxy.source.retries",
                "1",
                "senproxy.source.retry-first-ms",
                "10"));
        settings.putAll(extra);
        harness = RouteHarness.forSource("dataconnect-source", settings).start();
    }

    @AfterEach
    void stop() {
        logs.close();
        harness.close();
        enedis.close();
    }

    @Test
    void aLoadCurveEntersTheOutboxStampedAtTheStartOfEachHalfHour() throws Exception {
        start(Map.of());
        harness.poll();

        assertThat(enedis.dataRequests()).hasSize(1);
        assertThat(enedis.dataRequests().get(0))
                .containsEntry("start", "2023-03-30")
                .containsEntry("end", "2023-04-06")
                .containsEntry("usage_point_id", DataConnectStub.PRM);
        List<Measurement> records = harness.outboxRecords();
        assertThat(records)
                .extracting(Measurement::name)
                .containsOnly("urn:dev:prm:09111642617347_consumption/power/active/raw");
        assertThat(records).extracting(Measurement::unit).containsOnly("W");
        assertThat(records).extracting(Measurement::value).containsExactly(1268.0, 830.0, 254.0, 250.0);
        // "2023-04-01 00:30:00" in Paris (UTC+2 since March 26) ends the half hour that starts 2023-03-31T22:00Z
        assertThat(records)
                .extracting(Measurement::time)
                .containsExactly(1680300000.0, 1680301800.0, 1680303600.0, 1680305400.0);
        assertThat(harness.text("SELECT value FROM watermark WHERE source = 'dataconnect-source'"))
                .isEqualTo("2023-04-06");
    }

    @Test
    void pollsCatchUpSevenDaysAtATimeWithOneToken() throws Exception {
        start(Map.of());
        for (int i = 0; i < 3; i++) {
            harness.poll();
        }
        assertThat(enedis.dataRequests())
                .extracting(q -> q.get("start") + "/" + q.get("end"))
                .containsExactly("2023-03-30/2023-04-06", "2023-04-06/2023-04-13", "2023-04-13/2023-04-20");
        assertThat(enedis.tokensIssued()).isOne();
        assertThat(harness.outboxRecords()).hasSize(4);
    }

    @Test
    void aPollWithNoWholeDayDueAsksNothingAndEntersNothing() throws Exception {
        // day-window-action stops the poll: the call to Enedis and the rest of polled-source are skipped
        start(Map.of(
                "dataconnect.start-date",
                java.time.LocalDate.now(java.time.ZoneId.of("Europe/Paris")).toString()));
        harness.poll();
        assertThat(enedis.dataRequests()).isEmpty();
        assertThat(enedis.tokensIssued()).isZero();
        assertThat(harness.count("SELECT count(*) FROM outbox")).isZero();
        assertThat(harness.count("SELECT count(*) FROM watermark")).isZero();
    }

    @Test
    void aRefusedClientSecretEntersNothingAndSaysWhy() throws Exception {
        start(Map.of("dataconnect.client-secret", "wrong"));
        harness.poll();
        assertThat(harness.count("SELECT count(*) FROM outbox")).isZero();
        assertThat(harness.count("SELECT count(*) FROM watermark")).isZero();
        assertThat(enedis.dataRequests()).isEmpty();
        assertThat(logs.warnings())
                .contains("dataconnect-source: poll failed")
                .contains("invalid_client")
                .doesNotContain("wrong");
    }

    @Test
    void aMeterWithoutConsentEntersNothing() throws Exception {
        start(Map.of("dataconnect.usage-point-id", "00000000000000"));
        harness.poll();
        assertThat(harness.count("SELECT count(*) FROM outbox")).isZero();
        assertThat(logs.warnings()).contains("statusCode: 403").contains("No consent for this usage point");
    }
}
