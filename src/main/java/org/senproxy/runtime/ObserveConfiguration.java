package org.senproxy.runtime;

import static org.senproxy.runtime.ProxyBeans.LOG;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.micrometer.core.instrument.Gauge;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.camel.spi.Registry;
import org.senproxy.audit.AuditTrail;
import org.senproxy.catalogue.Catalogue;
import org.senproxy.consent.Subscriptions;
import org.senproxy.delivery.DeadLetters;
import org.senproxy.federation.FederationLink;
import org.senproxy.federation.PeerResources;
import org.senproxy.observe.Alarms;
import org.senproxy.observe.ConnectivityChecks;
import org.senproxy.observe.ConnectorMetrics;
import org.senproxy.observe.FlowHistory;
import org.senproxy.observe.FlowLog;
import org.senproxy.observe.Heartbeat;
import org.senproxy.observe.HyperCat;
import org.senproxy.observe.Monitoring;
import org.senproxy.observe.QueueMetrics;
import org.senproxy.observe.ReadinessWatch;
import org.senproxy.observe.StatusAccess;
import org.senproxy.observe.StatusPage;
import org.senproxy.observe.TokenHeaderFilter;

/**
 * What the proxy tells about itself: health checks ({@code xmppHealth}, {@code databaseHealth}), metrics
 * ({@code connectorMetrics}, {@code queueMetrics}), the flow log ({@code flowLog}), the status server and its pages
 * ({@code platform-http-engine}, {@code statusHeaderFilter}, {@code flowHistory}, {@code statusPage}, {@code hypercat}),
 * and what goes to the monitoring JID ({@code alarms}, {@code heartbeat}).
 */
final class ObserveConfiguration {

    /** How long the database readiness check waits for PostgreSQL's answer, in seconds. */
    private static final int DATABASE_CHECK_S = 2;

    private ObserveConfiguration() {}

    /** @return the connectors' metrics, which the flows and the retention count in */
    static ConnectorMetrics bind(
            CamelContext context,
            Settings settings,
            String replica,
            DataSource dataSource,
            AuditTrail audit,
            FederationConfiguration federation,
            Catalogue catalogue,
            DeadLetters deadLetters)
            throws Exception {
        Registry registry = context.getRegistry();
        String jid = federation.jid().toString();
        FederationLink link = federation.link();
        registry.bind("xmppHealth", ConnectivityChecks.xmpp(link::isOnline));
        AbstractHealthCheck databaseHealth = ConnectivityChecks.database(dataSource, DATABASE_CHECK_S);
        registry.bind("databaseHealth", databaseHealth);
        ReadinessWatch databaseWatch = databaseWatch(context, settings, databaseHealth, federation.peerResources());
        ConnectorMetrics connectorMetrics = new ConnectorMetrics(context, Clock.systemUTC());
        registry.bind("connectorMetrics", connectorMetrics);
        QueueMetrics queueMetrics = new QueueMetrics(dataSource, link::isOnline, Clock.systemUTC(), 2_000);
        registry.bind("queueMetrics", queueMetrics);
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                // Camel Main's metrics registry exists by now
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                queueMetrics.bindTo(connectorMetrics.registry());
                federation.signatures().bindTo(connectorMetrics.registry());
                PeerResources peerResources = federation.peerResources();
                Gauge.builder("senproxy.replica.announced", peerResources, r -> r.announced() ? 1 : 0)
                        .description("1 while the peers are told this replica takes their messages (ready, database"
                                + " up), 0 while it is held, withdrawn or stopping")
                        .register(connectorMetrics.registry());
                if (databaseWatch != null) {
                    long period = settings.millis("senproxy.readiness.check-ms").toMillis();
                    context.getExecutorServiceManager()
                            .newSingleThreadScheduledExecutor(this, "readiness-watch")
                            .scheduleWithFixedDelay(
                                    () -> {
                                        // an exception would end the schedule for good
                                        try {
                                            databaseWatch.tick();
                                        } catch (RuntimeException e) {
                                            LOG.warn("Database watch: {}", e.toString());
                                        }
                                    },
                                    period,
                                    period,
                                    TimeUnit.MILLISECONDS);
                }
            }
        });
        registry.bind("flowLog", new FlowLog());

        registry.bind("platform-http-engine", new StatusServerEngine(settings.integer("camel.server.port")));
        registry.bind("statusHeaderFilter", new TokenHeaderFilter());
        // the status page's chart: the last minutes in memory, sampled by routes/status-page.camel.yaml
        FlowHistory flowHistory = new FlowHistory(
                connectorMetrics::flowTotals,
                queueMetrics::depths,
                Clock.systemUTC(),
                Duration.ofMinutes(settings.integer("senproxy.status.chart-minutes")));
        registry.bind("flowHistory", flowHistory);
        registry.bind(
                "statusPage",
                new StatusPage(
                                jid,
                                connectorMetrics,
                                queueMetrics,
                                deadLetters,
                                link::isOnline,
                                statusAccess(settings),
                                context,
                                Clock.systemUTC(),
                                audit,
                                flowHistory)
                        .showSubscriptions(registry.lookupByNameAndType("subscriptions", Subscriptions.class)));
        registry.bind(
                "hypercat",
                new HyperCat(
                        catalogue,
                        jid,
                        new StatusAccess(
                                settings.optional("senproxy.admin.token").orElse(null),
                                settings.optional("senproxy.admin.read-token").orElse(null))));

        // routes/heartbeat.camel.yaml, routes/alarms.camel.yaml
        Monitoring monitoring =
                new Monitoring(jid, settings.optional("senproxy.heartbeat.jid").orElse(null));
        Alarms alarms = new Alarms(
                catalogue,
                dataSource,
                monitoring,
                settings.integer("senproxy.alarms.stale-periods"),
                Clock.systemUTC());
        registry.bind("alarms", alarms);
        registry.bind(
                "heartbeat",
                new Heartbeat(
                        monitoring,
                        replica,
                        connectorMetrics,
                        queueMetrics,
                        alarms,
                        settings.millis("senproxy.heartbeat.interval-ms"),
                        Clock.systemUTC()));
        if (monitoring.enabled()) {
            LOG.info(
                    "Heartbeat and alarms go to {}",
                    settings.optional("senproxy.heartbeat.jid").orElseThrow());
        }
        return connectorMetrics;
    }

    /**
     * The database watch of this replica (senproxy.readiness.*): while its database is away it is withdrawn from the
     * peers (PeerResources), so that they send to the other replicas at once; announced again once the database has
     * answered for the settle time. Null when turned off (check-ms 0).
     */
    private static ReadinessWatch databaseWatch(
            CamelContext context, Settings settings, AbstractHealthCheck databaseHealth, PeerResources peerResources) {
        Duration period = settings.millis("senproxy.readiness.check-ms");
        if (period.isZero() || period.isNegative()) {
            LOG.info("The database is not watched (senproxy.readiness.check-ms=0): a replica whose database is away"
                    + " stays announced to its peers");
            return null;
        }
        return new ReadinessWatch(
                databaseHealth,
                context.getExecutorServiceManager().newSingleThreadExecutor(ReadinessWatch.class, "readiness-check"),
                // as long as the check gives PostgreSQL to answer (a check waiting for a connection from the pool
                // would otherwise wait the pool's connection timeout, 30 s)
                Duration.ofSeconds(DATABASE_CHECK_S),
                settings.millis("senproxy.readiness.settle-ms"),
                peerResources::withdraw,
                peerResources::restore,
                System::nanoTime);
    }

    /** Who may read the status page and act through it: the admin and read tokens (StatusAccess). */
    private static StatusAccess statusAccess(Settings settings) {
        StatusAccess access = new StatusAccess(
                settings.optional("senproxy.admin.token").orElse(null),
                settings.optional("senproxy.admin.read-token").orElse(null));
        if (access.open()) {
            LOG.warn("The status page (/status.json) is readable without a token and admin actions are off: set"
                    + " senproxy.admin.read-token and senproxy.admin.token");
        }
        return access;
    }
}
