package org.senproxy.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.senproxy.observe.ConnectorMetrics;
import org.senproxy.senml.Measurement;
import org.senproxy.testing.EcodevicesStub;
import org.senproxy.testing.LogCapture;
import org.senproxy.testing.RouteHarness;

/**
 * connectors/ecodevices-source.camel.yaml with its transform, against a local stand-in that serves the real
 * Eco-devices frame over HTTP: a poll enters the outbox as SenML; a box answering garbage or an HTTP error
 * is asked again (source-errors), enters nothing, and the given-up poll is logged with the connector's name and
 * the cause; the next poll works.
 */
class EcodevicesSourceTest {

    private static final String METER = "urn:dev:prm:09111642617347_";

    private EcodevicesStub box;
    private RouteHarness harness;

    @BeforeEach
    void start() throws Exception {
        box = new EcodevicesStub();
        harness = RouteHarness.forSource(
                "ecodevices-source",
                Map.of(
                        "ecodevices.address", box.address(),
                        "ecodevices.base-name", METER,
                        "ecodevices.c2-unit", "l",
                        "senproxy.source.retries", "2",
                        "senproxy.source.retry-first-ms", "10"));
        logs = new LogCapture("ecodevices-source");
        harness.start();
    }

    @AfterEach
    void stop() {
        logs.close();
        harness.close();
        box.close();
    }

    private LogCapture logs;

    private String warnings() {
        return logs.warnings();
    }

    @Test
    void aPollEntersTheOutboxAsFiveSenmlRecordsStampedWithThePollTime() throws Exception {
        long before = System.currentTimeMillis();
        harness.poll();
        long after = System.currentTimeMillis();

        ObjectNode frame = box.served().get(0);
        List<Measurement> records = harness.outboxRecords();
        assertThat(records)
                .extracting(Measurement::name, Measurement::unit)
                .containsExactly(
                        tuple(METER + "consumption/energy/active/index", "Wh"),
                        tuple(METER + "consumption/power/apparent/raw", "VA"),
                        tuple(METER + "tariff-period", null),
                        tuple(METER + "c1/index", "Wh"),
                        tuple(METER + "c2/index", "l"));
        assertThat(records.get(0).value()).isEqualTo(frame.get("T1_BASE").asDouble());
        assertThat(records.get(1).value()).isEqualTo(frame.get("T1_PAPP").asDouble());
        assertThat(records.get(2).stringValue()).isEqualTo(frame.get("T1_PTEC").asText());
        assertThat(records.get(3).value()).isEqualTo(frame.get("INDEX_C1").asDouble());
        assertThat(records.get(4).value()).isEqualTo(frame.get("INDEX_C2").asDouble());
        assertThat(records).allSatisfy(m -> assertThat(m.time() * 1000).isBetween(before - 1000.0, after + 1000.0));
        assertThat(records)
                .extracting(Measurement::time)
                .containsOnly(records.get(0).time());
    }

    @Test
    void aBoxAnsweringGarbageEntersNothingAndTheErrorSaysSo() throws Exception {
        box.mode(EcodevicesStub.Mode.GARBAGE);
        harness.poll();
        assertThat(harness.count("SELECT count(*) FROM outbox")).isZero();
        assertThat(warnings())
                .startsWith("ecodevices-source: poll failed, nothing of it entered the outbox")
                .contains("Unexpected character ('<'");

        assertThat(polls("failed")).isEqualTo(1);
        assertThat(polls("ok")).isZero();

        box.mode(EcodevicesStub.Mode.FRAME);
        harness.poll();
        assertThat(harness.count("SELECT sum(record_count) FROM outbox")).isEqualTo(5);
        assertThat(polls("ok")).isEqualTo(1);
        assertThat(meters().find("senproxy.source.records")
                        .tag("connector", "ecodevices-source")
                        .counter()
                        .count())
                .isEqualTo(5);
        assertThat(meters().find("senproxy.source.last.success").gauge().value())
                .isCloseTo(System.currentTimeMillis() / 1000.0, within(5.0));
    }

    private MeterRegistry meters() {
        return harness.context
                .getRegistry()
                .lookupByNameAndType("connectorMetrics", ConnectorMetrics.class)
                .registry();
    }

    /** senproxy_source_polls_total of this connector with that outcome. */
    private double polls(String outcome) {
        Counter counter = meters().find("senproxy.source.polls")
                .tag("connector", "ecodevices-source")
                .tag("outcome", outcome)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aBoxAnsweringAnHttpErrorIsAskedAgainThenThePollIsGivenUp() throws Exception {
        box.mode(EcodevicesStub.Mode.SERVER_ERROR);
        harness.poll();
        assertThat(polls("failed")).as("one poll given up, not one per try").isEqualTo(1);
        assertThat(box.requests()).as("one request and two retries").isEqualTo(3);
        assertThat(harness.count("SELECT count(*) FROM outbox")).isZero();
        assertThat(warnings()).contains("ecodevices-source: poll failed").contains("statusCode: 500");
    }

    @Test
    void aBoxThatRecoversDuringTheRetriesLosesNothing() throws Exception {
        box.failNext(1);
        harness.poll();
        assertThat(box.requests()).isEqualTo(2);
        assertThat(harness.count("SELECT sum(record_count) FROM outbox")).isEqualTo(5);
        assertThat(warnings()).isEmpty();
    }
}
