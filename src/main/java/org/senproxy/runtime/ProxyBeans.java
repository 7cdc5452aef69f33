package org.senproxy.runtime;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;

import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.camel.util.concurrent.SynchronousExecutorService;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;
import org.jivesoftware.smack.AbstractConnectionListener;
import org.jivesoftware.smack.XMPPConnection;
import org.senproxy.catalogue.Catalogue;
import org.senproxy.db.Urls;
import org.senproxy.delivery.DeadLetters;
import org.senproxy.delivery.RetryPolicy;
import org.senproxy.observe.ConnectorMetrics;
import org.senproxy.quoalise.QuoaliseService;
import org.senproxy.switches.Switches;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The beans the route files use, built from settings, one configuration class per area: the database, trust,
 * federation, the inbox, the catalogue, observation, Quoalise, the outbox, what connectors call, and retention. Names
 * bound are the names routes refer to; each class lists its own.
 */
public class ProxyBeans implements CamelConfiguration {

    /** The start-up lines of every configuration class, under one logger as before they were split. */
    static final Logger LOG = LoggerFactory.getLogger(ProxyBeans.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        StartupTimes startup = new StartupTimes();
        startup.end(StartupTimes.CAMEL);
        context.addStartupListener(routesStarted(startup));
        // {{senproxy.x}} in the route files resolves to the declared default when nothing sets it
        Settings.installDefaults(context);
        Settings settings = new Settings(context);
        String replica = settings.optional("senproxy.replica")
                .orElse(InetAddress.getLocalHost().getHostName());
        HikariDataSource dataSource = DatabaseConfiguration.bind(context, settings);
        startup.end(StartupTimes.DATABASE);
        ClusteredQuartz.configure(
                context,
                dataSource,
                settings.required("senproxy.xmpp.jid"),
                settings.integer("senproxy.cluster.checkin-interval-ms"));
        Blocks.configure(context, settings.required("senproxy.home"));
        // the app, its keys and the subscription, read for every inbound message, are remembered this long
        Duration lookups = settings.millis("senproxy.inbound.lookup-cache-ms");

        TrustConfiguration trust = TrustConfiguration.bind(context, settings, dataSource, lookups);
        FederationConfiguration federation =
                FederationConfiguration.bind(context, settings, dataSource, trust.ownKeys(), lookups);
        DeadLetters deadLetters =
                InboxConfiguration.bind(context, settings, dataSource, trust.audit(), replica, federation);
        Catalogue catalogue = CatalogueConfiguration.bind(context, federation.codec());
        ConnectorMetrics metrics = ObserveConfiguration.bind(
                context, settings, replica, dataSource, trust.audit(), federation, catalogue, deadLetters);
        ControlConfiguration.bind(
                context, settings, dataSource, trust.audit(), federation, trust.ownKeys(), catalogue, metrics);
        QuoaliseService quoalise =
                QuoaliseConfiguration.register(settings, dataSource, trust.audit(), federation, catalogue, metrics);
        federation.link().onConnection(connection -> connection.addConnectionListener(xmppLoggedIn(startup)));
        OutboxConfiguration.bind(
                context, settings, dataSource, trust, federation.jid().toString(), replica, metrics);
        ConnectorsConfiguration.bind(context, settings, dataSource);
        RetentionConfiguration.bind(context, settings, dataSource, trust.audit(), metrics);
        Switches switches =
                SwitchesConfiguration.bind(context, settings, dataSource, trust.audit(), federation.peers(), metrics);
        quoalise.obey(switches);

        context.addService(
                new ServiceSupport() {
                    @Override
                    protected void doStop() {
                        federation.link().close();
                        dataSource.close();
                    }
                },
                true,
                true);
        LOG.info(
                "Status page on http://{}:{}/status; health and metrics on http://{}:{}/observe",
                settings.string("camel.server.host"),
                settings.string("camel.server.port"),
                settings.string("camel.management.host"),
                settings.string("camel.management.port"));
        LOG.info(
                "sen-proxy {} (replica {}) using {} and XMPP {}:{}",
                federation.jid(),
                replica,
                Urls.redacted(dataSource.getJdbcUrl()),
                federation.xmppHost(),
                federation.xmppPort());
        startup.end(StartupTimes.BEANS);
    }

    private static StartupListener routesStarted(StartupTimes startup) {
        return new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                // the routes are not all running yet
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                startup.end(StartupTimes.ROUTES);
            }
        };
    }

    private static AbstractConnectionListener xmppLoggedIn(StartupTimes startup) {
        return new AbstractConnectionListener() {
            @Override
            public void authenticated(XMPPConnection authenticated, boolean resumed) {
                startup.end(StartupTimes.XMPP);
            }
        };
    }

    /**
     * The threads that settle an aggregator's batches: a queue of as many batches as threads, then the thread that
     * completed a batch settles it itself (back-pressure on the XMPP listener, instead of batches piling up in memory).
     * Zero: the completing thread always settles its batch (route tests use it, to see a message settled when their
     * send returns).
     */
    static ExecutorService batchThreads(CamelContext context, String name, int threads) {
        if (threads <= 0) {
            return new SynchronousExecutorService();
        }
        ThreadPoolProfile profile = new ThreadPoolProfileBuilder(name)
                .poolSize(threads)
                .maxPoolSize(threads)
                .maxQueueSize(threads)
                .rejectedPolicy(ThreadPoolRejectedPolicy.CallerRuns)
                .build();
        return context.getExecutorServiceManager().newThreadPool(ProxyBeans.class, name, profile);
    }

    /** Attempts as the three settings named say: how many, the first wait (doubling), the longest wait. */
    static RetryPolicy retry(Settings settings, String maxAttempts, String firstDelay, String maxBackoff) {
        return new RetryPolicy(
                settings.integer(maxAttempts), settings.millis(firstDelay), settings.millis(maxBackoff), 0.2);
    }
}
