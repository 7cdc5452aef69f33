package org.senproxy.observe;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

import javax.sql.DataSource;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.senproxy.db.Sql;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges of the proxy's queues and federation session, read when Prometheus scrapes:
 * <ul>
 * <li>{@code senproxy_outbox_rows{status="pending"|"sent"|"dead"|"revoked"}}: outbox rows waiting to be sent, sent and
 * waiting for the peer's ack, given up, and withheld because their consent ended ({@code senproxy_outbox_acks_pending} is the "sent" count again, under
 * the name operators look for). Acknowledged rows are not counted: they only grow, and the table's retention is
 * theirs to watch.</li>
 * <li>{@code senproxy_inbox_rows{status="pending"|"dead"}}: inbox rows waiting for (re)delivery to the local sink,
 * and given up;</li>
 * <li>{@code senproxy_dead_letters{origin="outbox"|"inbox"|"inbound"}}: dead letters by where they come from;</li>
 * <li>{@code senproxy_xmpp_connected}: 1 while the federation's XMPP session is logged in, else 0.</li>
 * </ul>
 * The counts come from one query, kept {@code maxAgeMillis} so that several scrapes (or gauges) in a row cost one
 * round trip; when the database is down the gauges read NaN.
 */
public class QueueMetrics {

    private static final Logger LOG = LoggerFactory.getLogger(QueueMetrics.class);

    private static final Sql COUNTS = Sql.of(QueueMetrics.class, "queue-counts");
    private static final Sql DEPTHS = Sql.of(QueueMetrics.class, "queue-depths");

    private final DataSource dataSource;
    private final BooleanSupplier xmppOnline;
    private final Clock clock;
    private final long maxAgeMillis;
    private Map<String, Long> counts = Map.of();
    private long readAt;
    private boolean everRead;
    private boolean failed;

    public QueueMetrics(DataSource dataSource, BooleanSupplier xmppOnline, Clock clock, long maxAgeMillis) {
        this.dataSource = dataSource;
        this.xmppOnline = xmppOnline;
        this.clock = clock;
        this.maxAgeMillis = maxAgeMillis;
    }

    /** Registers the gauges. */
    public void bindTo(MeterRegistry registry) {
        for (String status : List.of("pending", "sent", "dead", "revoked")) {
            Gauge.builder("senproxy.outbox.rows", this, m -> m.count("outbox", status))
                    .tag("status", status)
                    .description("outbox rows by status (acked rows are not counted)")
                    .register(registry);
        }
        Gauge.builder("senproxy.outbox.acks.pending", this, m -> m.count("outbox", "sent"))
                .description("outbox rows sent and waiting for the peer's acknowledgement")
                .register(registry);
        for (String status : List.of("pending", "dead")) {
            Gauge.builder("senproxy.inbox.rows", this, m -> m.count("inbox", status))
                    .tag("status", status)
                    .description("inbox rows by status (delivered rows are not counted)")
                    .register(registry);
        }
        for (String origin : List.of("outbox", "inbox", "inbound")) {
            Gauge.builder("senproxy.dead.letters", this, m -> m.count("dead_letter", origin))
                    .tag("origin", origin)
                    .description("dead letters by origin")
                    .register(registry);
        }
        Gauge.builder("senproxy.xmpp.connected", xmppOnline, online -> online.getAsBoolean() ? 1 : 0)
                .description("1 while the federation's XMPP session is logged in")
                .register(registry);
    }

    /** The count of rows of {@code table} with that status (origin, for dead letters), NaN when unknown. */
    synchronized double count(String table, String status) {
        long now = clock.millis();
        if (!everRead || now - readAt >= maxAgeMillis) {
            everRead = true;
            readAt = now;
            try {
                counts = read();
                failed = false;
            } catch (SQLException e) {
                if (!failed) { // once per outage, not once per scrape
                    LOG.warn("Queue metrics not read: {}", e.getMessage());
                }
                failed = true;
            }
        }
        return failed ? Double.NaN : counts.getOrDefault(table + "/" + status, 0L);
    }

    /**
     * The queues' depths now, for the status page's chart ({@link FlowHistory}): outbox rows waiting to be sent or
     * acknowledged, per peer ({@code outbox}), and inbox rows waiting for delivery ({@code inbox}); empty when the
     * database cannot be read.
     */
    public Map<FlowHistory.Series, Double> depths() {
        Map<FlowHistory.Series, Double> depths = new TreeMap<>();
        try (Connection connection = dataSource.getConnection()) {
            for (Map.Entry<FlowHistory.Series, Double> depth : DEPTHS.query(
                    connection,
                    DEPTHS.params(),
                    rows -> Map.entry(
                            new FlowHistory.Series(rows.getString(1), rows.getString(2)), (double) rows.getLong(3)))) {
                depths.put(depth.getKey(), depth.getValue());
            }
        } catch (SQLException e) {
            LOG.debug("Queue depths not read: {}", e.getMessage());
            return Map.of();
        }
        return depths;
    }

    private Map<String, Long> read() throws SQLException {
        Map<String, Long> read = new HashMap<>();
        try (Connection connection = dataSource.getConnection()) {
            for (Map.Entry<String, Long> count : COUNTS.query(
                    connection,
                    COUNTS.params(),
                    rows -> Map.entry(rows.getString(1) + "/" + rows.getString(2), rows.getLong(3)))) {
                read.put(count.getKey(), count.getValue());
            }
        }
        return read;
    }
}
