package org.senproxy.switches;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import javax.sql.DataSource;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.senproxy.audit.AuditEvent;
import org.senproxy.audit.AuditTrail;
import org.senproxy.db.Sql;
import org.senproxy.db.Transactions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kill-switch: connectors an operator turned off and peer apps suspended (table {@code switch}; no row is on).
 * The switches are read with one query and remembered for {@code senproxy.switch.refresh-ms}, so that every replica
 * obeys a change within that time without reading the table for every message; {@link #set} changes one in one
 * transaction with its audit entry (who, why). What obeys them:
 * <ul>
 * <li>a disabled source connector: its route is stopped (runtime.ConnectorSwitches), its watermark stays;</li>
 * <li>the disabled sink: the inbox delivers nothing (inbox.InboxRepository), inbound messages are still stored and
 * acknowledged;</li>
 * <li>a suspended peer: outbox-dispatch claims none of its rows (outbox/claim.sql reads the table itself), and its
 * inbound messages are deferred (federation.Peers), not stored.</li>
 * </ul>
 * When the table cannot be read, the last switches read stay in force.
 */
public class Switches {

    private static final Logger LOG = LoggerFactory.getLogger(Switches.class);

    public static final String CONNECTOR = "connector";
    public static final String PEER = "peer";

    private static final Sql READ = Sql.of(Switches.class, "switches-read");
    private static final Sql SET = Sql.of(Switches.class, "switches-set");
    private static final Sql STATE = Sql.of(Switches.class, "switches-state");
    private static final Sql APP_EXISTS = Sql.of(Switches.class, "app-exists");

    /**
     * One switch: {@code enabled} false is a connector turned off or a peer suspended. {@code reason},
     * {@code changedBy}, {@code changedAt} are null for a switch never changed; {@code jid} is a peer's address.
     */
    public record Switch(
            String kind, String name, boolean enabled, String reason, String changedBy, Instant changedAt, String jid) {

        /** What the status page and the commands print: on or off, in the kind's words. */
        public String state() {
            return enabled
                    ? (PEER.equals(kind) ? "active" : "enabled")
                    : (PEER.equals(kind) ? "suspended" : "disabled");
        }
    }

    /** What a {@link #set} did: changed now, or already in that state (the reason and actor then updated). */
    public record Change(Switch now, boolean changed) {}

    private final DataSource dataSource;
    private final AuditTrail audit;
    private final Clock clock;
    private final long refreshMillis;
    private final List<String> connectors;
    private final List<Consumer<List<Switch>>> listeners = new ArrayList<>();
    private volatile List<Switch> current = List.of();
    private volatile long readAt;
    private volatile boolean everRead;
    private boolean failing;

    /**
     * @param refresh    how long switches read are remembered ({@code senproxy.switch.refresh-ms})
     * @param connectors the connectors this proxy runs ({@code senproxy.connectors}), listed as on when they have no
     *                   row
     */
    public Switches(DataSource dataSource, AuditTrail audit, Clock clock, Duration refresh, List<String> connectors) {
        this.dataSource = dataSource;
        this.audit = audit;
        this.clock = clock;
        this.refreshMillis = refresh.toMillis();
        this.connectors = List.copyOf(connectors);
    }

    /** Called with the switches after each read (the metric's gauges). */
    public synchronized void onRead(Consumer<List<Switch>> listener) {
        listeners.add(listener);
    }

    /** The connectors this proxy runs, as given. */
    public List<String> connectors() {
        return connectors;
    }

    /**
     * Every switch: each peer app, each connector this proxy runs and each connector with a row, peers and
     * connectors by name; read again when older than the refresh time.
     */
    public List<Switch> all() {
        if (!everRead || clock.millis() - readAt >= refreshMillis) {
            refresh();
        }
        return current;
    }

    /** Reads the switches now (after a change, and on the refresh timer). */
    public synchronized void refresh() {
        if (everRead && clock.millis() - readAt < refreshMillis / 4) {
            return; // another thread read them a moment ago
        }
        try {
            List<Switch> read = read();
            current = read;
            readAt = clock.millis();
            everRead = true;
            if (failing) {
                LOG.info("Switches read again");
            }
            failing = false;
            for (Consumer<List<Switch>> listener : listeners) {
                listener.accept(read);
            }
        } catch (SQLException e) {
            readAt = clock.millis();
            everRead = true;
            if (!failing) { // once per outage
                LOG.warn("Switches not read, the last ones read stay in force: {}", e.getMessage());
            }
            failing = true;
        }
    }

    /** The switches from the table now, without remembering them. */
    public List<Switch> read() throws SQLException {
        List<Switch> read;
        try (Connection c = dataSource.getConnection()) {
            read = READ.query(
                    c,
                    READ.params(),
                    rs -> new Switch(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getBoolean(3),
                            rs.getString(4),
                            rs.getString(5),
                            instant(rs.getTimestamp(6)),
                            rs.getString(7)));
        }
        List<Switch> all = new ArrayList<>(read);
        for (String connector : connectors) {
            if (read.stream()
                    .noneMatch(s -> CONNECTOR.equals(s.kind()) && s.name().equals(connector))) {
                all.add(new Switch(CONNECTOR, connector, true, null, null, null, null));
            }
        }
        all.sort(Comparator.comparing(Switch::kind).thenComparing(Switch::name));
        return List.copyOf(all);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    /**
     * Registers the gauge {@code senproxy_switch_state{kind,name}}: 1 on (a connector enabled, a peer active), 0 off;
     * one per switch, added as new ones are read. A scrape reads the switches last read, never the table.
     */
    public void bindTo(MeterRegistry registry) {
        Set<String> registered = ConcurrentHashMap.newKeySet();
        Consumer<List<Switch>> gauges = read -> {
            for (Switch s : read) {
                if (registered.add(s.kind() + "/" + s.name())) {
                    Gauge.builder("senproxy.switch.state", this, sw -> sw.lastRead(s.kind(), s.name()))
                            .tags("kind", s.kind(), "name", s.name())
                            .description("1 while a connector is enabled or a peer active, 0 while off")
                            .register(registry);
                }
            }
        };
        onRead(gauges);
        gauges.accept(all());
    }

    private double lastRead(String kind, String name) {
        return current.stream()
                .filter(s -> s.kind().equals(kind) && s.name().equals(name))
                .findFirst()
                .map(s -> s.enabled() ? 1.0 : 0.0)
                .orElse(1.0);
    }

    /** Whether a connector may run (a source poll, the sink receive). */
    public boolean connectorEnabled(String name) {
        return find(CONNECTOR, name).map(Switch::enabled).orElse(true);
    }

    /** The suspension of the peer app at this bare JID, if it is suspended. */
    public Optional<Switch> suspension(String jid) {
        return all().stream()
                .filter(s -> PEER.equals(s.kind()) && !s.enabled() && jid.equals(s.jid()))
                .findFirst();
    }

    public Optional<Switch> find(String kind, String name) {
        return all().stream()
                .filter(s -> s.kind().equals(kind) && s.name().equals(name))
                .findFirst();
    }

    /**
     * Turns a switch on or off, in one transaction with its audit entry ({@code switch.connector.disabled},
     * {@code switch.connector.enabled}, {@code switch.peer.suspended}, {@code switch.peer.resumed}; actor: who, detail:
     * the name and the reason). A peer must be a registered app; a connector one this proxy runs, when it knows which
     * (a connector no replica runs could not be obeyed).
     *
     * @param reason why: required to turn off, optional to turn on
     * @throws IllegalArgumentException naming what is wrong with the request
     */
    public Change set(String kind, String name, boolean enabled, String reason, String actor) throws SQLException {
        if (!CONNECTOR.equals(kind) && !PEER.equals(kind)) {
            throw new IllegalArgumentException("unknown kind of switch '" + kind + "': connector or peer");
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("which " + kind + "? A name is needed");
        }
        if (!enabled && (reason == null || reason.isBlank())) {
            throw new IllegalArgumentException(
                    "a reason is needed to " + (PEER.equals(kind) ? "suspend a peer" : "disable a connector")
                            + " (--reason): the audit trail and the status page show it");
        }
        if (CONNECTOR.equals(kind) && !connectors.isEmpty() && !connectors.contains(name)) {
            throw new IllegalArgumentException(
                    "no connector " + name + " here: senproxy.connectors names " + String.join(", ", connectors));
        }
        String why = reason == null || reason.isBlank() ? null : reason.strip();
        String event = "switch." + kind + "."
                + (PEER.equals(kind) ? (enabled ? "resumed" : "suspended") : (enabled ? "enabled" : "disabled"));
        Boolean[] before = new Boolean[1];
        Transactions.inTransaction(dataSource, c -> {
            if (PEER.equals(kind) && APP_EXISTS.one(c, APP_EXISTS.params().text("name", name), rs -> 1) == null) {
                throw new IllegalArgumentException("no app " + name + " (sen-proxy apps list names them)");
            }
            before[0] = STATE.one(c, STATE.params().text("kind", kind).text("name", name), rs -> rs.getBoolean(1));
            SET.update(
                    c,
                    SET.params()
                            .text("kind", kind)
                            .text("name", name)
                            .set("enabled", enabled)
                            .text("reason", why)
                            .text("changed_by", actor));
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put(kind, name);
            detail.put("reason", why);
            audit.append(c, List.of(AuditEvent.of(event, actor, null, null, detail)));
            return null;
        });
        boolean wasEnabled = before[0] == null || before[0];
        readAt = 0; // this replica obeys at once, the others within the refresh time
        refresh();
        Switch now = find(kind, name).orElse(new Switch(kind, name, enabled, why, actor, clock.instant(), null));
        LOG.info("{} {} {} by {}{}", kind, name, now.state(), actor, why == null ? "" : ": " + why);
        return new Change(now, wasEnabled != enabled);
    }
}
