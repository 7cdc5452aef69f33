package org.senproxy.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** The status page's chart data: rates between samples, depths as sampled, the last minutes only. */
class FlowHistoryTest {

    private static final FlowHistory.Series IN = new FlowHistory.Series("in", "ecodevices-source");
    private static final FlowHistory.Series ACKED = new FlowHistory.Series("acknowledged", "b@example.org");
    private static final FlowHistory.Series OUTBOX = new FlowHistory.Series("outbox", "b@example.org");

    private Instant now = Instant.parse("2026-12-05T10:00:00Z");
    private final Map<FlowHistory.Series, Double> totals = new HashMap<>();
    private Map<FlowHistory.Series, Double> depths = new HashMap<>();
    private final FlowHistory history = new FlowHistory(
            () -> totals,
            () -> depths,
            new Clock() {
                @Override
                public Instant instant() {
                    return now;
                }

                @Override
                public ZoneOffset getZone() {
                    return ZoneOffset.UTC;
                }

                @Override
                public Clock withZone(java.time.ZoneId zone) {
                    return this;
                }
            },
            Duration.ofMinutes(1));

    private void sampleAfter(int seconds) {
        now = now.plusSeconds(seconds);
        history.sample();
    }

    @Test
    void ratesAreRecordsPerSecondBetweenSamplesAndANewSeriesCountsFromZero() {
        totals.put(IN, 100.0);
        depths.put(OUTBOX, 3.0);
        sampleAfter(0);
        totals.put(IN, 300.0); // 200 in 10 s
        depths.put(OUTBOX, 8.0);
        sampleAfter(10);
        totals.put(IN, 300.0);
        totals.put(ACKED, 50.0); // appeared: 50 in 10 s
        sampleAfter(10);

        JsonNode chart = history.json();
        assertThat(chart.path("times")).hasSize(2);
        assertThat(chart.path("rates").toString())
                .isEqualTo(
                        "[{\"kind\":\"acknowledged\",\"name\":\"b@example.org\","
                                + "\"values\":[0.0,5.0]},{\"kind\":\"in\",\"name\":\"ecodevices-source\",\"values\":[20.0,0.0]}]");
        assertThat(chart.path("depths").path(0).path("values").toString()).isEqualTo("[8,8]");
    }

    @Test
    void onlyTheWindowIsKeptAndAnUnreadDatabaseLeavesAGap() {
        for (int i = 0; i < 20; i++) {
            totals.put(IN, i * 10.0);
            depths.put(OUTBOX, (double) i);
            sampleAfter(10);
        }
        depths = Map.of(); // the database is away
        sampleAfter(10);

        JsonNode chart = history.json();
        // a minute of 10 s steps: 7 samples, 6 intervals
        assertThat(chart.path("times")).hasSize(6);
        assertThat(chart.path("rates").path(0).path("values").toString()).isEqualTo("[1.0,1.0,1.0,1.0,1.0,0.0]");
        assertThat(chart.path("depths").path(0).path("values").toString()).isEqualTo("[15,16,17,18,19,null]");
        assertThat(chart.path("windowSeconds").asInt()).isEqualTo(60);
    }
}
