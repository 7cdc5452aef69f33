package org.senproxy.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.senproxy.senml.Measurement;
import org.senproxy.testing.AdictStub;
import org.senproxy.testing.LogCapture;
import org.senproxy.testing.RouteHarness;

/** connectors/adict-source.camel.yaml against a stand-in for GRDF ADICT (OAuth 2.0 with scope, NDJSON answers). */
class AdictSourceTest {

    private AdictStub grdf;
    private RouteHarness harness;
    private final LogCapture logs = new LogCapture("adict-source");

    private void start(Map<String, String> extra) throws Exception {
        grdf = new AdictStub();
        Map<String, String> settings = new HashMap<>(Map.of(
                "adict.api-url",
                grdf.apiUrl(),
                "adict.token-url",
                grdf.tokenUrl(),
                "adict.client-id",
                AdictStub.CLIENT_ID,
                "adict.client-secret",
                AdictStub.CLIENT_SECRET,
                "adict.pce",
                AdictStub.PCE,
                "adict.start-date",
                "2021-08-16",
                "senproxy.source.retries",
                "1",
                "senproxy.source.retry-first-ms",
                "10"));
        settings.putAll(extra);
        harness = RouteHarness.forSource("adict-source", settings).start();
    }

    @AfterEach
    void stop() {
        logs.close();
        harness.close();
        grdf.close();
    }

    @Test
    void aWeekOfGasDaysEntersTheOutboxInWhAndM3() throws Exception {
        start(Map.of());
        harness.poll();

        assertThat(grdf.dataRequests())
                .singleElement()
                .satisfies(q -> assertThat(q)
                        .containsEntry("date_debut", "2021-08-16")
                        .containsEntry("date_fin", "2021-08-23"));
        List<Measurement> records = harness.outboxRecords();
        assertThat(records).hasSize(14);
        List<Measurement> energy = records.stream()
                .filter(m -> m.name().endsWith("energy/gas/daily"))
                .toList();
        assertThat(energy).extracting(Measurement::unit).containsOnly("Wh");
        assertThat(energy).extracting(Measurement::value).startsWith(8000.0, 23000.0);
        // the gas day of 2021-08-16 starts at 06:00 French summer time, 04:00Z
        assertThat(energy.get(0).time()).isEqualTo(1629086400.0);
        assertThat(records.stream()
                        .filter(m -> m.name().endsWith("volume/gas/daily"))
                        .map(Measurement::unit))
                .containsOnly("m3");
        assertThat(grdf.tokensIssued()).isOne();
        assertThat(harness.text("SELECT value FROM watermark WHERE source = 'adict-source'"))
                .isEqualTo("2021-08-23");
    }

    @Test
    void aMeterWithoutConsentEntersNothing() throws Exception {
        start(Map.of("adict.pce", "99999999999999"));
        harness.poll();
        assertThat(harness.count("SELECT count(*) FROM outbox")).isZero();
        assertThat(logs.warnings())
                .contains("adict-source: poll failed")
                .contains("statusCode: 403")
                .contains("Pas de droit d'accès pour ce PCE");
    }
}
