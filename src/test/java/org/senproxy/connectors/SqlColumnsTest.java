package org.senproxy.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** SqlColumns: records as one array per key, of the types PostgreSQL's driver binds. */
class SqlColumnsTest {

    @Test
    void eachKeyIsAnArrayOfItsKindInTheRecordsOrder() {
        Map<String, Object> columns = SqlColumns.of(List.of(
                Map.of(
                        "name",
                        "a",
                        "value",
                        1.5,
                        "on",
                        true,
                        "count",
                        3L,
                        "time",
                        OffsetDateTime.of(2026, 1, 2, 3, 4, 5, 123_456_000, ZoneOffset.UTC)),
                Map.of(
                        "name",
                        "b",
                        "value",
                        2.0,
                        "on",
                        false,
                        "count",
                        4,
                        "time",
                        Instant.parse("2026-01-02T03:04:06Z"))));

        assertThat(columns).containsOnlyKeys("name", "value", "on", "count", "time");
        assertThat((String[]) columns.get("name")).containsExactly("a", "b");
        assertThat((Double[]) columns.get("value")).containsExactly(1.5, 2.0);
        assertThat((Boolean[]) columns.get("on")).containsExactly(true, false);
        assertThat((Long[]) columns.get("count")).containsExactly(3L, 4L);
        assertThat((String[]) columns.get("time"))
                .containsExactly("2026-01-02T03:04:05.123456Z", "2026-01-02T03:04:06Z");
    }

    @Test
    void aMissingOrNullValueIsANullElement() {
        Map<String, Object> second = new HashMap<>();
        second.put("value", null);
        Map<String, Object> columns = SqlColumns.of(List.of(Map.of("name", "a", "value", 1.0), second));

        assertThat((String[]) columns.get("name")).containsExactly("a", null);
        assertThat((Double[]) columns.get("value")).containsExactly(1.0, null);
    }

    @Test
    void allNullsAreTextAndMixedNumbersAreDoubles() {
        Map<String, Object> first = new HashMap<>();
        first.put("unit", null);
        first.put("value", 1);
        first.put("mixed", "x");
        Map<String, Object> second = new HashMap<>();
        second.put("unit", null);
        second.put("value", 2.5);
        second.put("mixed", 7);
        Map<String, Object> columns = SqlColumns.of(List.of(first, second));

        assertThat((String[]) columns.get("unit")).containsExactly(null, null);
        assertThat((Double[]) columns.get("value")).containsExactly(1.0, 2.5);
        assertThat((String[]) columns.get("mixed")).containsExactly("x", "7");
    }

    @Test
    void aZonedTimeIsWrittenWithItsOffsetOnly() {
        Map<String, Object> columns = SqlColumns.of(List.of(Map.of(
                "time",
                OffsetDateTime.parse("2026-07-01T12:00:00+02:00").atZoneSameInstant(ZoneId.of("Europe/Paris")))));
        assertThat((String[]) columns.get("time")).containsExactly("2026-07-01T12:00+02:00");
    }

    @Test
    void noRecordsNoColumns() {
        assertThat(SqlColumns.of(List.of())).isEmpty();
    }
}
