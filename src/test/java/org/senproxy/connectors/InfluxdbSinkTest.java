package org.senproxy.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.senproxy.testing.InfluxTestServer;
import org.senproxy.testing.RouteHarness;

/**
 * connectors/influxdb-sink.camel.yaml against a real InfluxDB 1.6: every record becomes a point with its name, sender
 * and unit as tags and its value and time (to the microsecond) intact; a delivery written twice is stored once; a
 * write InfluxDB refuses fails the delivery.
 */
class InfluxdbSinkTest {

    private static InfluxTestServer influx;
    private RouteHarness harness;

    @BeforeAll
    static void startInflux() throws Exception {
        influx = new InfluxTestServer();
        influx.query(null, "CREATE DATABASE home");
    }

    @AfterAll
    static void stopInflux() throws Exception {
        if (influx != null) { // null when influxd is not installed: the class is skipped, not failed
            influx.close();
        }
    }

    private void start(String database) throws Exception {
        harness = new RouteHarness(
                        Map.of("influxdb-sink.url", influx.url(), "influxdb-sink.database", database),
                        "connectors/influxdb-sink.camel.yaml")
                .start();
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void everyRecordIsAPointOnceEvenWhenDeliveredTwice() throws Exception {
        start("home");
        List<Map<String, Object>> delivery = List.of(
                record("urn:dev:prm:1_power", "W", "2023-04-01T00:00:00.000250Z", Map.of("value", 1268.5)),
                record(
                        "urn:dev:prm:1_power",
                        "W",
                        "2023-04-01T00:30:00Z",
                        Map.of("value", 830.0, "duration_s", 1800.0)),
                record(
                        "urn:dev:prm:1_tariff",
                        null,
                        "2023-04-01T00:30:00Z",
                        Map.of("string_value", "HP \"heures pleines\", tarif=bleu")));
        harness.template().sendBody("direct:influxdb-sink", delivery);
        harness.template().sendBody("direct:influxdb-sink", delivery);

        List<String> points = points("SELECT * FROM senml");
        assertThat(points)
                .containsExactlyInAnyOrder(
                        "1680307200000250|urn:dev:prm:1_power|proxy-a@localhost|W|1268.5|null|null",
                        "1680309000000000|urn:dev:prm:1_power|proxy-a@localhost|W|830|null|1800",
                        "1680309000000000|urn:dev:prm:1_tariff|proxy-a@localhost|null|null|HP \"heures pleines\", tarif=bleu|null");
    }

    @Test
    void aWriteInfluxRefusesFailsTheDelivery() throws Exception {
        start("no_such_database");
        assertThatThrownBy(() -> harness.template()
                        .sendBody(
                                "direct:influxdb-sink",
                                List.of(record(
                                        "urn:dev:prm:1_power", "W", "2023-04-01T00:00:00Z", Map.of("value", 1.0)))))
                .hasStackTraceContaining("statusCode: 404");
    }

    /** time|name|sender|unit|value|string_value|duration_s of each point. */
    private static List<String> points(String influxQl) throws Exception {
        JsonNode series = influx.query("home", influxQl)
                .path("results")
                .path(0)
                .path("series")
                .path(0);
        List<String> columns = new ArrayList<>();
        series.path("columns").forEach(c -> columns.add(c.asText()));
        List<String> points = new ArrayList<>();
        for (JsonNode row : series.path("values")) {
            Map<String, String> point = new HashMap<>();
            for (int i = 0; i < columns.size(); i++) {
                point.put(
                        columns.get(i),
                        row.get(i).isNull() ? "null" : row.get(i).asText());
            }
            points.add(String.join(
                    "|",
                    point.get("time"),
                    point.get("name"),
                    point.get("sender"),
                    point.get("unit"),
                    point.get("value"),
                    point.get("string_value"),
                    point.get("duration_s")));
        }
        return points;
    }

    private static Map<String, Object> record(String name, String unit, String time, Map<String, Object> fields) {
        Map<String, Object> map = new HashMap<>();
        for (String key : List.of("value", "string_value", "bool_value", "data_value", "sum", "duration_s")) {
            map.put(key, null);
        }
        map.put("sender", "proxy-a@localhost");
        map.put("message_id", "m1");
        map.put("name", name);
        map.put("unit", unit);
        map.put("time", OffsetDateTime.ofInstant(Instant.parse(time), ZoneOffset.UTC));
        map.putAll(fields);
        return map;
    }
}
