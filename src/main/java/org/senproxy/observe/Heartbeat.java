package org.senproxy.observe;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.jivesoftware.smack.packet.Message;
import org.jxmpp.stringprep.XmppStringprepException;
import org.senproxy.senml.SenmlRecord;

/**
 * This proxy's status as SenML, sent to the monitoring JID every {@code senproxy.heartbeat.interval-ms}
 * (routes/heartbeat.camel.yaml). What the status page shows people, for a machine that watches many proxies; a
 * heartbeat that stops coming is itself the alarm that the proxy (or its XMPP session) is down.
 *
 * <pre>
 * bn urn:dev:senproxy:proxy-a:example.org_  bt (now)
 *   replica                       vs  the replica speaking (senproxy.replica)
 *   uptime                        s   since this proxy started; ut: the heartbeat interval (when to expect the next)
 *   outbox/pending, outbox/sent, outbox/dead, inbox/pending, inbox/dead                      count
 *   dead-letters/outbox, dead-letters/inbox, dead-letters/inbound                            count
 *   connector/(name)/last-success-age   s      since the connector's last good poll
 *   connector/(name)/failures           count  polls given up since start-up
 *   alarms                              count  alarms raised now (Alarms)
 * </pre>
 * Queue and dead-letter counts are the whole proxy's (its database, shared by its replicas), as the
 * {@code senproxy_outbox_rows} gauges count them (dead letters: every one kept, replayed or not); they are left out
 * while the database cannot be read. Connector figures are this replica's, since its start: a connector that has not
 * polled here yet is not listed.
 */
public class Heartbeat {

    private final Monitoring monitoring;
    private final String replica;
    private final ConnectorMetrics sources;
    private final QueueMetrics queues;
    private final Alarms alarms;
    private final Duration interval;
    private final Clock clock;
    private final Instant started;

    public Heartbeat(
            Monitoring monitoring,
            String replica,
            ConnectorMetrics sources,
            QueueMetrics queues,
            Alarms alarms,
            Duration interval,
            Clock clock) {
        this.monitoring = monitoring;
        this.replica = replica;
        this.sources = sources;
        this.queues = queues;
        this.alarms = alarms;
        this.interval = interval;
        this.clock = clock;
        this.started = clock.instant();
    }

    /** A monitoring JID is set: heartbeats are sent. */
    public boolean enabled() {
        return monitoring.enabled();
    }

    /** The heartbeat message, now. */
    public Message stanza() throws XmppStringprepException {
        Message message =
                monitoring.message("sen-proxy " + monitoring.ownJid() + " (" + replica + ") is up", records());
        // a headline: the server drops it for a monitor that is offline (RFC 6121 8.5.2.1.1) instead of piling up
        // stale heartbeats in its offline storage, which has a limit (ejabberd: 100 messages, then alarms are lost too)
        message.setType(Message.Type.headline);
        return message;
    }

    List<SenmlRecord> records() {
        Instant now = clock.instant();
        List<SenmlRecord> records = new ArrayList<>();
        records.add(new SenmlRecord(
                monitoring.baseName(),
                now.toEpochMilli() / 1000.0,
                null,
                null,
                null,
                null,
                "replica",
                null,
                null,
                replica,
                null,
                null,
                null,
                null,
                null));
        records.add(new SenmlRecord(
                null,
                null,
                null,
                null,
                null,
                null,
                "uptime",
                "s",
                (double) Duration.between(started, now).toSeconds(),
                null,
                null,
                null,
                null,
                null,
                (double) Math.max(1, interval.toSeconds())));
        count(records, "outbox/pending", queues.count("outbox", "pending"));
        count(records, "outbox/sent", queues.count("outbox", "sent"));
        count(records, "outbox/dead", queues.count("outbox", "dead"));
        count(records, "inbox/pending", queues.count("inbox", "pending"));
        count(records, "inbox/dead", queues.count("inbox", "dead"));
        for (String origin : List.of("outbox", "inbox", "inbound")) {
            count(records, "dead-letters/" + origin, queues.count("dead_letter", origin));
        }
        for (ConnectorMetrics.Connector c : sources.connectors()) {
            String prefix = "connector/" + Monitoring.namePart(c.name()) + "/";
            if (c.lastSuccess() != null) {
                records.add(value(
                        prefix + "last-success-age",
                        "s",
                        Math.max(0, Duration.between(c.lastSuccess(), now).toSeconds())));
            }
            count(records, prefix + "failures", c.failures());
        }
        count(records, "alarms", alarms.raised().size());
        return records;
    }

    private static void count(List<SenmlRecord> records, String name, double count) {
        if (Double.isFinite(count)) { // NaN: the database could not be read
            records.add(value(name, "count", count));
        }
    }

    private static SenmlRecord value(String name, String unit, double value) {
        return new SenmlRecord(
                null, null, null, null, null, null, name, unit, value, null, null, null, null, null, null);
    }
}
