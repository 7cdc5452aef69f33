package org.senproxy.observe;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

import javax.sql.DataSource;

import org.jivesoftware.smack.packet.Message;
import org.jxmpp.stringprep.XmppStringprepException;
import org.senproxy.catalogue.Catalogue;
import org.senproxy.senml.Measurement;
import org.senproxy.senml.SenmlRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's alarms on its sources, raised once when their condition starts and cleared once when it ends; each
 * change is logged (WARN raised, INFO cleared) and, with a monitoring JID, sent there as SenML
 * (routes/alarms.camel.yaml).
 * <ul>
 * <li><b>Stale source</b>: a connector of the catalogue that has entered nothing new into the outbox for
 * {@code senproxy.alarms.stale-periods} of its periods (its declared period, or its poll interval; see
 * {@link Catalogue#connectorPeriods()}), counted from its newest new record, or from this proxy's start when that is
 * later (a connector that never yielded anything is given its periods from the start). "New" is read from the
 * database ({@link SourceFreshness}), so a replica that does not run a connector's polls judges it as the one that
 * does. A poll of records already read is nothing new.</li>
 * <li><b>Threshold</b>: a series declaring {@code above} and/or {@code below} whose newest value in a poll is beyond
 * the limit; cleared by a newer value within it (equal to the limit is within). Called by outbox-append with each
 * poll's records ({@link #observe}); a value older than one already judged for the same name (a window read again) is
 * not judged.</li>
 * </ul>
 *
 * <p>What the monitoring JID receives, a message per change, SenML in the Quoalise data element:
 * <pre>
 * stale:     bn urn:dev:senproxy:proxy-a:example.org_  connector/ecodevices-source/alarm/stale  vb true|false
 *            connector/ecodevices-source/alarm/stale/limit  u s  v 180      (the silence that raises it)
 *            connector/ecodevices-source/silence            u s  v 185      (seconds without anything new)
 * threshold: urn:dev:prm:09111642617347_consumption/power/apparent/raw/alarm/above  vb true|false  t (the value's time)
 *            urn:dev:prm:09111642617347_consumption/power/apparent/raw/alarm/above/limit  u VA  v 9000
 * </pre>
 * The value that crossed the limit is not sent: it is a measurement, and measurements leave the proxy only to apps
 * under the data owner's consent; the proxy's log has it.
 *
 * <p>State is kept in memory, per replica: after a restart an alarm still true is raised again (once), and one that
 * ended while the proxy was down is not cleared (the monitor sees no clear for it). Each replica watches and reports
 * for itself: with several replicas, the monitor gets a stale alarm from each, and a threshold alarm from the replica
 * that polled the value (a replica clears only what it raised). Changes wait in memory (at most {@value #MAX_PENDING},
 * the oldest dropped first) until the XMPP session is up.
 */
public class Alarms {

    private static final Logger LOG = LoggerFactory.getLogger(Alarms.class);
    /**
     * Keys are stamped with their transaction's start: an append that began before the previous check and committed
     * after it is still seen, as long as it took less than this.
     */
    static final Duration COMMIT_OVERLAP = Duration.ofMinutes(5);

    static final int MAX_PENDING = 1000;

    /** A raised alarm: what its clear message says and carries. */
    private record Raised(String clearText, List<SenmlRecord> limit) {}

    private final Catalogue catalogue;
    private final SourceFreshness freshness;
    private final Monitoring monitoring;
    private final int stalePeriods;
    private final Clock clock;
    private final Instant started;

    private final Map<String, Instant> newest = new HashMap<>();
    private final Map<String, Raised> raised = new LinkedHashMap<>();
    private final Map<String, Double> judged = new HashMap<>();
    private final Deque<Message> pending = new ArrayDeque<>();
    private Instant checkedUpTo;
    private boolean databaseFailed;

    public Alarms(Catalogue catalogue, DataSource dataSource, Monitoring monitoring, int stalePeriods, Clock clock) {
        this(catalogue, new SourceFreshness(dataSource), monitoring, stalePeriods, clock);
    }

    Alarms(Catalogue catalogue, SourceFreshness freshness, Monitoring monitoring, int stalePeriods, Clock clock) {
        if (stalePeriods < 1) {
            throw new IllegalStateException("senproxy.alarms.stale-periods must be 1 or more, not " + stalePeriods);
        }
        this.catalogue = catalogue;
        this.freshness = freshness;
        this.monitoring = monitoring;
        this.stalePeriods = stalePeriods;
        this.clock = clock;
        this.started = clock.instant();
    }

    /** A monitoring JID is set: changes are sent there. */
    public boolean enabled() {
        return monitoring.enabled();
    }

    // ---- thresholds

    /**
     * Judges a poll's records against the thresholds of {@code connector}'s series (outbox-append, before the
     * records are stored). Never fails the poll: a fault here is logged and the poll goes on.
     */
    public void observe(String connector, List<Measurement> records) {
        if (connector == null || records == null || records.isEmpty()) {
            return;
        }
        try {
            Map<String, Measurement> newestValues = new LinkedHashMap<>();
            for (Measurement m : records) {
                if (m.value() != null) {
                    newestValues.merge(m.name(), m, (a, b) -> b.time() >= a.time() ? b : a);
                }
            }
            for (Measurement m : newestValues.values()) {
                Optional<Catalogue.Declared> declared = catalogue.declared(connector, m.name());
                if (declared.isPresent() && declared.get().hasThreshold()) {
                    judge(m, declared.get());
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Threshold alarms of {} not checked: {}", connector, e.toString());
        }
    }

    private synchronized void judge(Measurement m, Catalogue.Declared declared) {
        Double previous = judged.get(m.name());
        if (previous != null && m.time() < previous) {
            return;
        }
        judged.put(m.name(), m.time());
        String unit = m.unit() != null ? m.unit() : declared.series().unit();
        if (declared.above() != null) {
            threshold(m, unit, "above", declared.above(), m.value() > declared.above());
        }
        if (declared.below() != null) {
            threshold(m, unit, "below", declared.below(), m.value() < declared.below());
        }
    }

    private void threshold(Measurement m, String unit, String side, double limit, boolean beyond) {
        String name = m.name() + "/alarm/" + side;
        String limitText = number(limit) + (unit == null ? "" : " " + unit);
        List<SenmlRecord> limitRecord = List.of(record(name + "/limit", unit, limit));
        if (beyond && !raised.containsKey(name)) {
            LOG.warn(
                    "Alarm raised: {} is {} {} (value {} at {})",
                    m.name(),
                    side,
                    limitText,
                    number(m.value()),
                    m.instant());
            raise(
                    name,
                    m.name() + " " + side + " " + limitText,
                    m.name() + " no longer " + side + " " + limitText,
                    m.time(),
                    limitRecord);
        } else if (!beyond && raised.containsKey(name)) {
            LOG.info("Alarm cleared: {} is no longer {} {}", m.name(), side, limitText);
            clear(name, m.time());
        }
    }

    // ---- stale sources

    /**
     * Checks every connector of the catalogue for staleness (routes/alarms.camel.yaml, staleness-watch). While the
     * database cannot be read, nothing is raised or cleared (a WARN line once per outage).
     */
    public void checkStale() {
        Map<String, Duration> periods = catalogue.connectorPeriods();
        if (periods.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        Map<String, Instant> found;
        synchronized (this) {
            Instant since = checkedUpTo != null
                    ? checkedUpTo.minus(COMMIT_OVERLAP)
                    : now.minus(periods.values().stream()
                            .max(Duration::compareTo)
                            .orElseThrow()
                            .multipliedBy(stalePeriods));
            try {
                found = freshness.newestSince(since);
                if (databaseFailed) {
                    LOG.info("Stale source alarms: the database can be read again");
                }
                databaseFailed = false;
            } catch (SQLException e) {
                if (!databaseFailed) {
                    LOG.warn("Stale source alarms not checked while the database cannot be read: {}", e.getMessage());
                }
                databaseFailed = true;
                return;
            }
            checkedUpTo = now;
            found.forEach((source, at) -> newest.merge(source, at, (a, b) -> a.isAfter(b) ? a : b));
            periods.forEach((connector, period) -> stale(connector, period, now));
        }
    }

    private void stale(String connector, Duration period, Instant now) {
        Instant last = newest.get(connector);
        Instant from = last != null && last.isAfter(started) ? last : started;
        Duration silence = Duration.between(from, now);
        Duration limit = period.multipliedBy(stalePeriods);
        String subject = "connector/" + Monitoring.namePart(connector);
        String name = monitoring.baseName() + subject + "/alarm/stale";
        boolean stale = silence.compareTo(limit) > 0;
        if (stale && !raised.containsKey(name)) {
            LOG.warn(
                    "Alarm raised: {} has entered nothing new for {} s ({} periods of {} s){}",
                    connector,
                    silence.toSeconds(),
                    stalePeriods,
                    period.toSeconds(),
                    last == null ? "" : ", last new record at " + last);
            raise(
                    name,
                    connector + " has yielded nothing new for " + silence.toSeconds() + " s (limit " + limit.toSeconds()
                            + " s: " + stalePeriods + " periods of " + period.toSeconds() + " s)",
                    connector + " yields new records again",
                    now.toEpochMilli() / 1000.0,
                    List.of(
                            record(name + "/limit", "s", limit.toSeconds()),
                            record(monitoring.baseName() + subject + "/silence", "s", silence.toSeconds())));
        } else if (!stale && raised.containsKey(name)) {
            LOG.info("Alarm cleared: {} yields new records again (last at {})", connector, last);
            clear(name, now.toEpochMilli() / 1000.0);
        }
    }

    // ---- changes, and their messages

    private void raise(String name, String text, String clearText, double time, List<SenmlRecord> details) {
        raised.put(name, new Raised(clearText, details));
        queue("alarm raised: " + text, name, true, time, details);
    }

    private void clear(String name, double time) {
        Raised alarm = raised.remove(name);
        queue(
                "alarm cleared: " + alarm.clearText(),
                name,
                false,
                time,
                alarm.limit().subList(0, 1));
    }

    private void queue(String text, String name, boolean on, double time, List<SenmlRecord> details) {
        if (!monitoring.enabled()) {
            return;
        }
        List<SenmlRecord> records = new ArrayList<>();
        records.add(new SenmlRecord(
                null, time, null, null, null, null, name, null, null, null, on, null, null, null, null));
        records.addAll(details);
        Message message;
        try {
            message = monitoring.message("sen-proxy " + monitoring.ownJid() + ": " + text, records);
        } catch (XmppStringprepException e) {
            throw new IllegalStateException("monitoring JID " + e.getMessage(), e);
        }
        if (pending.size() >= MAX_PENDING) {
            LOG.warn("More than {} alarm changes wait for the XMPP session: the oldest is dropped", MAX_PENDING);
            pending.removeFirst();
        }
        pending.addLast(message);
    }

    private static SenmlRecord record(String name, String unit, double value) {
        return new SenmlRecord(
                null, null, null, null, null, null, name, unit, value, null, null, null, null, null, null);
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15
                ? Long.toString((long) value)
                : Double.toString(value);
    }

    /** The changes not sent yet, oldest first (alarm-notify sends them, then calls {@link #sent}). */
    public synchronized List<Message> pending() {
        return List.copyOf(pending);
    }

    /** {@code message} was written to the session: it is no longer pending. */
    public synchronized void sent(Message message) {
        pending.removeIf(m -> m == message);
    }

    /** The names of the alarms raised now, for the heartbeat and the tests. */
    public synchronized List<String> raised() {
        return List.copyOf(new TreeSet<>(raised.keySet()));
    }
}
