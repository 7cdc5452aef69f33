package org.senproxy.observe;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The last minutes of the proxy's flow, for the status page's chart, kept in memory (no external service; each
 * replica keeps its own): every step (routes/status-page.camel.yaml, senproxy.status.chart-step-ms) it samples the
 * connectors' and peers' record totals ({@link ConnectorMetrics#flowTotals()}) and the queues' depths
 * ({@link QueueMetrics#depths()}), and keeps the last {@code window} of samples. The chart shows records per second
 * between two samples, and the depths as sampled.
 */
public class FlowHistory {

    /** One line of the chart: what it counts ({@code in}, {@code acknowledged}, {@code delivered}, {@code outbox},
     * {@code inbox}) and of whom (connector, peer, sink). */
    public record Series(String kind, String name) implements Comparable<Series> {
        private static final Comparator<Series> ORDER =
                Comparator.comparing(Series::kind).thenComparing(Series::name);

        @Override
        public int compareTo(Series other) {
            return ORDER.compare(this, other);
        }
    }

    private record Sample(Instant at, Map<Series, Double> totals, Map<Series, Double> depths) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<Map<Series, Double>> totals;
    private final Supplier<Map<Series, Double>> depths;
    private final Clock clock;
    private final Duration window;
    private final Deque<Sample> samples = new ArrayDeque<>();

    public FlowHistory(
            Supplier<Map<Series, Double>> totals, Supplier<Map<Series, Double>> depths, Clock clock, Duration window) {
        this.totals = totals;
        this.depths = depths;
        this.clock = clock;
        this.window = window;
    }

    /** Takes a sample now, and forgets those older than the window. */
    public void sample() {
        Sample taken = new Sample(clock.instant(), Map.copyOf(totals.get()), Map.copyOf(depths.get()));
        synchronized (samples) {
            samples.addLast(taken);
            while (samples.size() > 2
                    && samples.peekFirst().at().isBefore(taken.at().minus(window))) {
                samples.removeFirst();
            }
        }
    }

    /**
     * The chart's data: {@code times} (each sample after the first), {@code rates} (records per second since the
     * sample before, per series; a series that appeared counts from zero) and {@code depths} (as sampled; null where a
     * sample has no value, e.g. the database was away).
     */
    public ObjectNode json() {
        List<Sample> taken;
        synchronized (samples) {
            taken = new ArrayList<>(samples);
        }
        ObjectNode chart = JSON.createObjectNode();
        chart.put("windowSeconds", window.toSeconds());
        ArrayNode times = chart.putArray("times");
        for (int i = 1; i < taken.size(); i++) {
            times.add(taken.get(i).at().toString());
        }
        TreeSet<Series> rated = new TreeSet<>();
        TreeSet<Series> depthSeries = new TreeSet<>();
        taken.forEach(s -> {
            rated.addAll(s.totals().keySet());
            depthSeries.addAll(s.depths().keySet());
        });
        ArrayNode rates = chart.putArray("rates");
        for (Series series : rated) {
            ArrayNode values = line(rates, series);
            for (int i = 1; i < taken.size(); i++) {
                Sample before = taken.get(i - 1);
                Sample now = taken.get(i);
                double seconds = Duration.between(before.at(), now.at()).toMillis() / 1000.0;
                double delta =
                        now.totals().getOrDefault(series, 0.0) - before.totals().getOrDefault(series, 0.0);
                // a counter only grows; a restart of its registry (tests) would read negative
                values.add(seconds > 0 ? Math.round(Math.max(0, delta) / seconds * 10) / 10.0 : 0);
            }
        }
        ArrayNode queues = chart.putArray("depths");
        for (Series series : depthSeries) {
            ArrayNode values = line(queues, series);
            for (int i = 1; i < taken.size(); i++) {
                Double depth = taken.get(i).depths().get(series);
                if (depth == null && !taken.get(i).depths().isEmpty()) {
                    depth = 0.0; // read, and that queue was empty
                }
                if (depth == null) {
                    values.addNull();
                } else {
                    values.add(depth.longValue());
                }
            }
        }
        return chart;
    }

    private static ArrayNode line(ArrayNode lines, Series series) {
        return lines.addObject()
                .put("kind", series.kind())
                .put("name", series.name())
                .putArray("values");
    }
}
