package org.senproxy.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.senproxy.senml.Measurement;
import org.senproxy.testing.LogCapture;
import org.senproxy.testing.RouteHarness;
import org.senproxy.testing.SgeStub;

/**
 * connectors/sge-source.camel.yaml against a stand-in for SGE Tiers that answers the real SOAP exchanges of the
 * fixtures only to the request they were made for: a C5 load curve and daily energy enter the outbox, stamped at
 * the start of their period; a point SGE refuses enters nothing and the warning carries SGE's message.
 */
class SgeSourceTest {

    private SgeStub sge;
    private RouteHarness harness;
    private final LogCapture logs = new LogCapture("sge-source");

    private void start(Map<String, String> extra) throws Exception {
        sge = new SgeStub();
        Map<String, String> settings = new HashMap<>(Map.of(
                "sge.url", sge.url(),
                "sge.login", "sge-tiers@votre-entreprise.fr",
                "sge.point-id", "09111642617347",
                "sge.start-date", "2022-01-05",
                "senproxy.source.retries", "1",
                "senproxy.source.retry-first-ms", "10"));
        settings.putAll(extra);
        harness = RouteHarness.forSource("sge-source", settings).start();
    }

    @AfterEach
    void stop() {
        logs.close();
        harness.close();
        sge.close();
    }

    @Test
    void aWeekOfC5LoadCurveEntersTheOutboxStampedAtTheStartOfEachHalfHour() throws Exception {
        start(Map.of());
        harness.poll();

        assertThat(sge.requests()).hasSize(1);
        assertThat(sge.requests().get(0))
                .containsEntry("dateDebut", "2022-01-05")
                .containsEntry("dateFin", "2022-01-12")
                .containsEntry("grandeurPhysique", "PA")
                .containsEntry("mesuresTypeCode", "COURBE");
        List<Measurement> records = harness.outboxRecords();
        assertThat(records).hasSize(336);
        assertThat(records)
                .extracting(Measurement::name)
                .containsOnly("urn:dev:prm:09111642617347_consumption/power/active/raw");
        // the first point, dated 2022-01-05T00:30+01:00, covers the half hour from 2022-01-04T23:00Z
        assertThat(records.get(0).time()).isEqualTo(1641337200.0);
        assertThat(records.get(0).value()).isEqualTo(430.0);
        assertThat(records.get(335).time()).isEqualTo(1641940200.0);
        assertThat(harness.text("SELECT value FROM watermark WHERE source = 'sge-source'"))
                .isEqualTo("2022-01-12");
    }

    @Test
    void dailyEnergyIsStampedAtTheStartOfEachDay() throws Exception {
        start(Map.of("sge.measure-type", "ENERGIE", "sge.quantity", "EA"));
        harness.poll();
        List<Measurement> records = harness.outboxRecords();
        assertThat(records).extracting(Measurement::unit).containsOnly("Wh");
        assertThat(records)
                .extracting(Measurement::value)
                .startsWith(20711.0, 24217.0)
                .hasSize(7);
        assertThat(records.get(0).time()).isEqualTo(1641337200.0);
    }

    @Test
    void aPointSgeRefusesEntersNothingAndTheWarningCarriesSgesMessage() throws Exception {
        start(Map.of("sge.point-id", "00000000000000"));
        harness.poll();
        assertThat(harness.count("SELECT count(*) FROM outbox")).isZero();
        assertThat(harness.count("SELECT count(*) FROM watermark")).isZero();
        assertThat(logs.warnings())
                .contains("sge-source: poll failed")
                .contains("SGE refused the request: SGT4G3: Le point n'existe pas ou n'est pas accessible.");
    }
}
