package org.senproxy.runtime;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.spi.RouteController;
import org.apache.camel.support.service.ServiceSupport;
import org.senproxy.switches.Switches;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Obeys the connectors' switches on this replica: every {@code senproxy.switch.refresh-ms} it reads them and stops
 * the route of a disabled source connector (its route id is the connector's name: a polled source's quartz route, an
 * MQTT source's subscription), and starts it again once enabled. A stopped polled source reads nothing, so its
 * watermark stays where it was and the first poll after it is enabled catches up; its trigger stays in the cluster's
 * store, fired by no replica while the route is stopped on all. A stopped MQTT source disconnects; the broker keeps
 * what comes meanwhile in its persistent session. Only routes this watcher stopped are started again, never one
 * stopped or left out for another reason.
 *
 * <p>The sink (senproxy.inbox.sink) is never stopped: inbox-deliver calls it directly, and a stopped route would fail
 * each delivery into a dead letter. The inbox obeys its switch instead (inbox.InboxRepository delivers nothing).
 */
final class ConnectorSwitches extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectorSwitches.class);

    /** How long a stopping poll may take before its route is stopped anyway. */
    private static final long STOP_TIMEOUT_SECONDS = 10;

    private final CamelContext context;
    private final Switches switches;
    private final String sink;
    private final long periodMillis;
    private final Set<String> stoppedHere = new HashSet<>();
    private ScheduledExecutorService timer;

    ConnectorSwitches(CamelContext context, Switches switches, String sink, long periodMillis) {
        this.context = context;
        this.switches = switches;
        this.sink = sink;
        this.periodMillis = periodMillis;
    }

    @Override
    protected void doStart() {
        timer = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "connector-switches");
        timer.scheduleWithFixedDelay(this::obeySafely, 0, periodMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() {
        if (timer != null) {
            context.getExecutorServiceManager().shutdownNow(timer);
            timer = null;
        }
    }

    private void obeySafely() {
        try {
            obey();
        } catch (RuntimeException e) {
            LOG.warn("Connector switches not applied this time: {}", e.getMessage());
        }
    }

    /**
     * Before Camel starts the routes: a connector disabled now is not started at all (not even for the moment until the
     * first round), and counts as stopped here, so it starts once enabled.
     */
    synchronized void holdDisabled() {
        for (Switches.Switch s : switches.all()) {
            Route route = Switches.CONNECTOR.equals(s.kind())
                            && !s.enabled()
                            && !s.name().equals(sink)
                    ? context.getRoute(s.name())
                    : null;
            if (route != null) {
                route.setAutoStartup(false);
                stoppedHere.add(s.name());
                LOG.warn(
                        "Connector {} not started: disabled by {}{}",
                        s.name(),
                        s.changedBy(),
                        s.reason() == null ? "" : " (" + s.reason() + ")");
            }
        }
    }

    /** One round: reads the switches and stops or starts the connectors' routes they name. */
    synchronized void obey() {
        if (!context.isStarted()) {
            return; // routes are started (or stopped) by Camel itself now
        }
        switches.refresh();
        List<Switches.Switch> all = switches.all();
        Set<String> disabled = new HashSet<>();
        for (Switches.Switch s : all) {
            if (Switches.CONNECTOR.equals(s.kind()) && !s.enabled() && !s.name().equals(sink)) {
                disabled.add(s.name());
            }
        }
        RouteController routes = context.getRouteController();
        for (String name : disabled) {
            Route route = context.getRoute(name);
            if (route != null && routes.getRouteStatus(name) == ServiceStatus.Started) {
                try {
                    routes.stopRoute(name, STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    stoppedHere.add(name);
                    LOG.warn("Connector {} stopped: disabled by an operator", name);
                } catch (Exception e) {
                    LOG.warn("Connector {} is disabled but could not be stopped: {}", name, e.getMessage());
                }
            }
        }
        for (String name : Set.copyOf(stoppedHere)) {
            if (!disabled.contains(name)) {
                try {
                    routes.startRoute(name);
                    stoppedHere.remove(name);
                    LOG.info("Connector {} started again: enabled by an operator", name);
                } catch (Exception e) {
                    LOG.warn("Connector {} is enabled but could not be started: {}", name, e.getMessage());
                }
            }
        }
    }
}
