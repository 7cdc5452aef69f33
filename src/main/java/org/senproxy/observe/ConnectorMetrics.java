package org.senproxy.observe;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.senproxy.consent.WithheldRecords;
import org.senproxy.outbox.Acknowledged;

/**
 * What operators watch of the connectors, as Micrometer meters (Prometheus names):
 * <ul>
 * <li>{@code senproxy_source_polls_total{connector, outcome="ok"|"failed"}}: polls whose records entered the outbox,
 * and polls given up after their retries (or a subscribed message dropped as unreadable);</li>
 * <li>{@code senproxy_source_records_total{connector}}: records entered into the outbox (new ones only);</li>
 * <li>{@code senproxy_source_duplicates_total{connector}}: records polled again (same source, name and time as one
 * already in the outbox) and dropped;</li>
 * <li>{@code senproxy_source_last_success_seconds{connector}}: when the last good poll committed (epoch seconds;
 * its age is {@code time() - senproxy_source_last_success_seconds});</li>
 * <li>{@code senproxy_sink_records_total{sink}}: records the receiving side delivered to its local system;</li>
 * <li>{@code senproxy_outbox_acknowledged_records_total{peer}}: records whose messages the peer acknowledged;</li>
 * <li>{@code senproxy_source_records_held_total{connector}}: new records that no consumer could take when they were
 * read (none, none with a consent in force, or none caught up yet), held in source_record for a consumer to come;
 * {@code senproxy_source_waiting_for_consumer{connector}} is 1 while that is so (as of the connector's last poll with
 * new records);</li>
 * <li>{@code senproxy_consent_withheld_records_total{path}}: records in a consumer's scope but measured outside its
 * consent's data period, never sent: {@code path} is {@code append}, {@code queued} (rows queued before a narrowing)
 * or {@code history} (Quoalise get_history).</li>
 * </ul>
 * Camel's own per-route meters ({@code camel_exchanges_*}) come on top. The meters live in the registry that Camel
 * Main's metrics set up (camel.metrics.enabled); without one (route tests), in a registry of this object's own.
 */
public class ConnectorMetrics implements WithheldRecords {

    private final CamelContext context;
    private final Clock clock;
    private static final int RECENT_FAILURES = 20;

    private final Map<String, AtomicLong> lastSuccess = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> waiting = new ConcurrentHashMap<>();
    private final Deque<Failure> recentFailures = new ArrayDeque<>();
    private volatile MeterRegistry registry;

    public ConnectorMetrics(CamelContext context, Clock clock) {
        this.context = context;
        this.clock = clock;
    }

    /** A poll of {@code connector} committed {@code records} records to the outbox. */
    public void polled(String connector, int records) {
        MeterRegistry meters = registry();
        polls(meters, connector, "ok").increment();
        Counter.builder("senproxy.source.records")
                .tag("connector", connector)
                .description("records a source connector entered into the outbox")
                .register(meters)
                .increment(records);
        lastSuccess
                .computeIfAbsent(connector, name -> {
                    AtomicLong seconds = new AtomicLong();
                    Gauge.builder("senproxy.source.last.success", seconds, AtomicLong::get)
                            .tag("connector", name)
                            .baseUnit("seconds")
                            .description("when the connector's last good poll committed (epoch seconds)")
                            .register(meters);
                    return seconds;
                })
                .set(clock.instant().getEpochSecond());
    }

    /**
     * A poll of {@code connector} brought {@code records} records already in the outbox (overlapping windows, a re-read
     * after a crash, a message delivered twice), which were dropped. Counted even when zero, so that the series exists
     * from the connector's first poll.
     */
    public void duplicates(String connector, int records) {
        Counter.builder("senproxy.source.duplicates")
                .tag("connector", connector)
                .description("records a source connector polled again and that were dropped as duplicates")
                .register(registry())
                .increment(records);
    }

    /**
     * What the consumers of {@code connector} made of a poll's {@code records} new records: {@code held} of them no
     * consumer could take (they wait in source_record), {@code outsideDataPeriod} were outside a consent's data period.
     * A poll without new records changes nothing: it says nothing of the consumers.
     */
    public void consumed(String connector, int records, int held, int outsideDataPeriod) {
        MeterRegistry meters = registry();
        if (records > 0) {
            waiting.computeIfAbsent(connector, name -> {
                        AtomicLong flag = new AtomicLong();
                        Gauge.builder("senproxy.source.waiting.for.consumer", flag, AtomicLong::get)
                                .tag("connector", name)
                                .description("1 while no consumer may take the connector's records (they are held)")
                                .register(meters);
                        return flag;
                    })
                    .set(held > 0 ? 1 : 0);
        }
        held(meters, connector).increment(held);
        count("append", outsideDataPeriod);
    }

    /** Records held back by a consent's data period on {@code path} ({@link WithheldRecords}). */
    @Override
    public void count(String path, long records) {
        withheld(registry(), path).increment(records);
    }

    /** The records withheld so far on each path. */
    public Map<String, Double> withheldByPath() {
        Map<String, Double> byPath = new TreeMap<>();
        for (String path : List.of("append", "queued", "history")) {
            byPath.put(path, withheld(registry(), path).count());
        }
        return byPath;
    }

    private static Counter withheld(MeterRegistry meters, String path) {
        return Counter.builder("senproxy.consent.withheld.records")
                .tag("path", path)
                .description("records in a consumer's scope measured outside its consent's data period, never sent")
                .register(meters);
    }

    private static Counter held(MeterRegistry meters, String connector) {
        return Counter.builder("senproxy.source.records.held")
                .tag("connector", connector)
                .description("new records no consumer could take when read, held in source_record for one to come")
                .register(meters);
    }

    /** The inbox delivered {@code records} records to the sink connector {@code sink}. */
    public void delivered(String sink, int records) {
        Counter.builder("senproxy.sink.records")
                .tag("sink", sink)
                .description("records delivered to the local system by a sink connector")
                .register(registry())
                .increment(records);
    }

    /** Peers acknowledged these outbox rows: their records are counted per peer. */
    public void acknowledged(List<Acknowledged> rows) {
        MeterRegistry meters = registry();
        for (Acknowledged row : rows) {
            Counter.builder("senproxy.outbox.acknowledged.records")
                    .tag("peer", row.recipient())
                    .description("records whose messages the peer acknowledged")
                    .register(meters)
                    .increment(row.records());
        }
    }

    /**
     * The totals the status page's chart follows ({@link FlowHistory}), by series: records read by each source
     * connector ({@code in}), acknowledged by each peer ({@code acknowledged}), delivered by each sink
     * ({@code delivered}).
     */
    public Map<FlowHistory.Series, Double> flowTotals() {
        MeterRegistry meters = registry();
        Map<FlowHistory.Series, Double> totals = new TreeMap<>();
        meters.find("senproxy.source.records")
                .counters()
                .forEach(c -> totals.put(new FlowHistory.Series("in", c.getId().getTag("connector")), c.count()));
        meters.find("senproxy.outbox.acknowledged.records")
                .counters()
                .forEach(c -> totals.put(
                        new FlowHistory.Series("acknowledged", c.getId().getTag("peer")), c.count()));
        meters.find("senproxy.sink.records")
                .counters()
                .forEach(c ->
                        totals.put(new FlowHistory.Series("delivered", c.getId().getTag("sink")), c.count()));
        return totals;
    }

    /** A poll of {@code connector} was given up, or a message it received could not be read. */
    public void failed(String connector, String reason) {
        polls(registry(), connector, "failed").increment();
        synchronized (recentFailures) {
            recentFailures.addFirst(new Failure(clock.instant(), connector, reason));
            while (recentFailures.size() > RECENT_FAILURES) {
                recentFailures.removeLast();
            }
        }
    }

    /** A failed poll, for the status page. */
    public record Failure(Instant at, String connector, String reason) {}

    /**
     * What the status page shows of one connector; {@code waitingForConsumer}: as of its last poll with new records, no
     * consumer could take them, and {@code held} records wait in source_record for one.
     */
    public record Connector(
            String name,
            Instant lastSuccess,
            double polls,
            double failures,
            double records,
            boolean waitingForConsumer,
            double held) {}

    /** The newest failures first, at most {@value #RECENT_FAILURES}. */
    public List<Failure> recentFailures() {
        synchronized (recentFailures) {
            return List.copyOf(recentFailures);
        }
    }

    /** Every connector that polled since start-up, by name. */
    public List<Connector> connectors() {
        MeterRegistry meters = registry();
        Set<String> names = new TreeSet<>();
        meters.find("senproxy.source.polls")
                .counters()
                .forEach(c -> names.add(c.getId().getTag("connector")));
        List<Connector> connectors = new ArrayList<>();
        for (String name : names) {
            AtomicLong last = lastSuccess.get(name);
            AtomicLong waits = waiting.get(name);
            connectors.add(new Connector(
                    name,
                    last == null ? null : Instant.ofEpochSecond(last.get()),
                    polls(meters, name, "ok").count(),
                    polls(meters, name, "failed").count(),
                    Counter.builder("senproxy.source.records")
                            .tag("connector", name)
                            .register(meters)
                            .count(),
                    waits != null && waits.get() == 1,
                    held(meters, name).count()));
        }
        return connectors;
    }

    private static Counter polls(MeterRegistry meters, String connector, String outcome) {
        return Counter.builder("senproxy.source.polls")
                .tag("connector", connector)
                .tag("outcome", outcome)
                .description("source polls by outcome")
                .register(meters);
    }

    /**
     * The registry the meters are in: Camel's when metrics are on, else one of this object's own. The proxy's other
     * meters ({@link QueueMetrics}) go in it too.
     */
    public MeterRegistry registry() {
        MeterRegistry meters = registry;
        if (meters == null) {
            synchronized (this) {
                meters = registry;
                if (meters == null) {
                    meters = context.getRegistry().findSingleByType(MeterRegistry.class);
                    registry = meters = meters != null ? meters : new SimpleMeterRegistry();
                }
            }
        }
        return meters;
    }
}
