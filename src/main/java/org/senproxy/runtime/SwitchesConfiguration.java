package org.senproxy.runtime;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import javax.sql.DataSource;

import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.senproxy.audit.AuditTrail;
import org.senproxy.federation.Peers;
import org.senproxy.inbox.InboxRepository;
import org.senproxy.observe.ConnectorMetrics;
import org.senproxy.observe.StatusPage;
import org.senproxy.outbox.OutboxAcks;
import org.senproxy.switches.Switches;

/**
 * The kill-switch ({@code switches}): read every {@code senproxy.switch.refresh-ms}, and obeyed by what the other
 * configuration classes bound: the inbox (the sink), the peers (inbound messages), the status page, outbox-ack (how
 * long a deferred message waits), and the connectors' routes ({@link ConnectorSwitches}). Outbox-dispatch reads the
 * table at each claim. Its gauge {@code senproxy_switch_state} is registered once the metrics registry exists.
 */
final class SwitchesConfiguration {

    private SwitchesConfiguration() {}

    static Switches bind(
            CamelContext context,
            Settings settings,
            DataSource dataSource,
            AuditTrail audit,
            Peers peers,
            ConnectorMetrics metrics)
            throws Exception {
        long refresh = settings.integer("senproxy.switch.refresh-ms");
        String sink = settings.string("senproxy.inbox.sink");
        Switches switches =
                new Switches(dataSource, audit, Clock.systemUTC(), Duration.ofMillis(refresh), connectors(settings));
        context.getRegistry().bind("switches", switches);
        peers.obey(switches);
        InboxRepository inbox = context.getRegistry().lookupByNameAndType("inbox", InboxRepository.class);
        if (inbox != null) {
            inbox.obey(switches, sink);
        }
        StatusPage statusPage = context.getRegistry().lookupByNameAndType("statusPage", StatusPage.class);
        if (statusPage != null) {
            statusPage.showSwitches(switches);
        }
        OutboxAcks acks = context.getRegistry().lookupByNameAndType("outboxAcks", OutboxAcks.class);
        if (acks != null) {
            acks.retryDeferredAfter(settings.millis("senproxy.outbox.ack-timeout-ms"));
        }
        ConnectorSwitches watcher = new ConnectorSwitches(context, switches, sink, refresh);
        context.addService(watcher, true, true);
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                // the routes are not started yet; Camel Main's metrics registry exists once they are
                watcher.holdDisabled();
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                switches.bindTo(metrics.registry());
            }
        });
        return switches;
    }

    /** The connectors named in senproxy.connectors. */
    static List<String> connectors(Settings settings) {
        return Arrays.stream(settings.optional("senproxy.connectors").orElse("").split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }
}
