package org.senproxy.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.senproxy.testing.RouteHarness;

/**
 * connectors/postgres-sink.camel.yaml: it creates its table, writes each record of a delivery, and a
 * delivery made twice (sender, message id, name, time) is written once.
 */
class PostgresSinkTest {

    private RouteHarness harness;

    @BeforeEach
    void start() throws Exception {
        harness = new RouteHarness(Map.of(), "connectors/postgres-sink.camel.yaml").start();
        await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .until(() -> harness.count("SELECT count(*) FROM measurement") == 0);
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void writesEveryRecordOnceEvenWhenDeliveredTwice() throws Exception {
        List<Map<String, Object>> delivery = List.of(
                record("m1", "urn:dev:prm:1_power", 1_700_000_000, Map.of("value", 1268.5, "unit", "W")),
                record("m1", "urn:dev:prm:1_tariff", 1_700_000_000, Map.of("string_value", "HP..")),
                record("m1", "urn:dev:prm:1_on", 1_700_000_000, Map.of("bool_value", true)),
                record(
                        "m1",
                        "urn:dev:prm:1_power",
                        1_700_001_800,
                        Map.of("value", 830.0, "unit", "W", "duration_s", 1800.0)));

        harness.template().sendBody("direct:postgres-sink", delivery);
        harness.template().sendBody("direct:postgres-sink", delivery);

        assertThat(harness.count("SELECT count(*) FROM measurement")).isEqualTo(4);
        // the local application's table, in its schema; the proxy's inbox in the proxy's own (senproxy.db.schema)
        assertThat(harness.text("SELECT relnamespace::regnamespace::text FROM pg_class"
                        + " WHERE oid = to_regclass('measurement')"))
                .isEqualTo("public");
        assertThat(harness.text(
                        "SELECT relnamespace::regnamespace::text FROM pg_class" + " WHERE oid = to_regclass('inbox')"))
                .isEqualTo("senproxy");
        assertThat(harness.text("SELECT string_agg(value::text || unit, ',' ORDER BY time) FROM measurement"
                        + " WHERE name = 'urn:dev:prm:1_power'"))
                .isEqualTo("1268.5W,830W");
        assertThat(harness.text("SELECT string_value FROM measurement WHERE name = 'urn:dev:prm:1_tariff'"))
                .isEqualTo("HP..");
        assertThat(harness.text("SELECT bool_value::text FROM measurement WHERE name = 'urn:dev:prm:1_on'"))
                .isEqualTo("true");
        assertThat(harness.text("SELECT extract(epoch FROM min(time))::bigint::text FROM measurement"))
                .isEqualTo("1700000000");
        assertThat(harness.text("SELECT string_agg(coalesce(duration_s::text, '-'), ',' ORDER BY time) FROM"
                        + " measurement WHERE name = 'urn:dev:prm:1_power'"))
                .isEqualTo("-,1800");
    }

    @Test
    void anotherMessageWithTheSameRecordIsAnotherRow() throws Exception {
        harness.template()
                .sendBody(
                        "direct:postgres-sink",
                        List.of(record("m1", "urn:dev:prm:1_power", 1_700_000_000, Map.of("value", 1.0))));
        harness.template()
                .sendBody(
                        "direct:postgres-sink",
                        List.of(record("m2", "urn:dev:prm:1_power", 1_700_000_000, Map.of("value", 1.0))));
        assertThat(harness.count("SELECT count(*) FROM measurement")).isEqualTo(2);
    }

    @Test
    void writesALargeDeliveryWithTimesToTheMicrosecond() throws Exception {
        List<Map<String, Object>> delivery = new java.util.ArrayList<>();
        for (int i = 0; i < 2_500; i++) {
            Map<String, Object> record = record("m1", "urn:dev:prm:1_power", 1_700_000_000, Map.of("value", i * 0.5));
            record.put(
                    "time",
                    OffsetDateTime.ofInstant(
                            java.time.Instant.ofEpochSecond(1_700_000_000, i * 1_001_000L), ZoneOffset.UTC));
            delivery.add(record);
        }
        harness.template().sendBody("direct:postgres-sink", delivery);

        assertThat(harness.count("SELECT count(*) FROM measurement")).isEqualTo(2_500);
        // the 2,000th record: 1,999 * 1,001 microseconds after the first, and its own value
        assertThat(harness.text("SELECT value::text FROM measurement"
                        + " WHERE time = to_timestamp(1700000000) + interval '2000999 microseconds'"))
                .isEqualTo("999.5");
        assertThat(harness.count("SELECT count(*) FROM measurement WHERE unit IS NULL AND string_value IS NULL"
                        + " AND bool_value IS NULL AND data_value IS NULL AND sum IS NULL AND duration_s IS NULL"))
                .isEqualTo(2_500);
    }

    @Test
    void anEmptyDeliveryWritesNothing() throws Exception {
        harness.template().sendBody("direct:postgres-sink", List.of());
        assertThat(harness.count("SELECT count(*) FROM measurement")).isZero();
    }

    private static Map<String, Object> record(
            String messageId, String name, long epochSecond, Map<String, Object> fields) {
        Map<String, Object> map = new HashMap<>();
        for (String key : List.of("unit", "value", "string_value", "bool_value", "data_value", "sum", "duration_s")) {
            map.put(key, null);
        }
        map.put("sender", "proxy-a@localhost");
        map.put("message_id", messageId);
        map.put("name", name);
        map.put("time", OffsetDateTime.ofInstant(java.time.Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC));
        map.putAll(fields);
        return map;
    }
}
