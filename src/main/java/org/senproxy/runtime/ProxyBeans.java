package org.senproxy.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.sql.DataSource;

import com.nimbusds.jose.jwk.ECKey;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.apache.camel.component.xmpp.XmppEndpoint;
import org.apache.camel.processor.aggregate.GroupedBodyAggregationStrategy;
import org.apache.camel.spi.Registry;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.camel.util.concurrent.SynchronousExecutorService;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;
import org.jivesoftware.smack.AbstractConnectionListener;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.XMPPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.senproxy.audit.AuditRetention;
import org.senproxy.audit.AuditTrail;
import org.senproxy.audit.ProxyKeys;
import org.senproxy.catalogue.Catalogue;
import org.senproxy.connectors.DateWindows;
import org.senproxy.consent.Subscriptions;
import org.senproxy.connectors.MqttShare;
import org.senproxy.connectors.OAuth2Tokens;
import org.senproxy.db.ProxySchema;
import org.senproxy.db.Urls;
import org.senproxy.delivery.DeadLetters;
import org.senproxy.delivery.Retention;
import org.senproxy.delivery.RetryPolicy;
import org.senproxy.federation.FederationCodec;
import org.senproxy.federation.QuoaliseDataProvider;
import org.senproxy.federation.FederationLink;
import org.senproxy.federation.Peers;
import org.senproxy.federation.Signatures;
import org.senproxy.inbox.InboundRejects;
import org.senproxy.inbox.InboxRepository;
import org.senproxy.observe.Alarms;
import org.senproxy.observe.ConnectivityChecks;
import org.senproxy.observe.ConnectorMetrics;
import org.senproxy.observe.FlowHistory;
import org.senproxy.observe.FlowLog;
import org.senproxy.observe.Heartbeat;
import org.senproxy.observe.HyperCat;
import org.senproxy.observe.Monitoring;
import org.senproxy.observe.QueueMetrics;
import org.senproxy.observe.StatusAccess;
import org.senproxy.observe.StatusPage;
import org.senproxy.observe.TokenHeaderFilter;
import org.senproxy.outbox.GatheredRecords;
import org.senproxy.outbox.HeldCompletions;
import org.senproxy.outbox.OutboxPacker;
import org.senproxy.outbox.OutboxRepository;
import org.senproxy.outbox.SendResults;
import org.senproxy.outbox.SourceRecords;
import org.senproxy.outbox.Watermarks;
import org.senproxy.quoalise.QuoaliseCommands;
import org.senproxy.quoalise.QuoaliseService;
import org.senproxy.secrets.CredentialCipher;
import org.senproxy.secrets.CredentialKeys;
import org.senproxy.secrets.UserCredentials;
import org.senproxy.transform.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The beans the route files use, built from settings: one pooled DataSource (its schema migrated by
 * Flyway), one XMPP endpoint shared by every federation route (so one XMPP session per proxy), the
 * outbox and inbox repositories and the federation codec. Names here are the names routes refer to.
 */
public class ProxyBeans implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyBeans.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        StartupTimes startup = new StartupTimes();
        startup.end(StartupTimes.CAMEL);
        Settings settings = new Settings(context);
        Registry registry = context.getRegistry();
        String replica = settings.string("senproxy.replica", InetAddress.getLocalHost().getHostName());

        Optional<String> schema = settings.optional(ProxySchema.KEY);
        HikariDataSource dataSource = dataSource(settings, ProxySchema.searchPath(schema.orElse(ProxySchema.DEFAULT)));
        ProxySchema.migrate(dataSource, ProxySchema.choose(dataSource, schema));
        registry.bind("dataSource", dataSource);
        startup.end(StartupTimes.DATABASE);
        ClusteredQuartz.configure(context, dataSource, settings.required("senproxy.xmpp.jid"),
                settings.integer("senproxy.cluster.checkin-interval-ms", 7500));

        EntityBareJid jid = JidCreate.entityBareFrom(settings.required("senproxy.xmpp.jid"));
        String xmppHost = settings.string("senproxy.xmpp.host", jid.getDomain().toString());
        int xmppPort = settings.integer("senproxy.xmpp.port", 5222);
        XMPPTCPConnectionConfiguration xmpp = xmppConfiguration(settings, jid, xmppHost, xmppPort);
        FederationLink link = new FederationLink(xmpp, settings.integer("senproxy.xmpp.reconnect-delay-s", 5));
        registry.bind("federationLink", link);
        registry.bind("federationXmpp", xmppEndpoint(context, settings, jid, xmpp, xmppHost + ":" + xmppPort));
        registry.bind("xmppHealth", ConnectivityChecks.xmpp(link::isOnline));
        registry.bind("databaseHealth", ConnectivityChecks.database(dataSource, 2));

        // a received data element is kept as XML, read once by the codec (not as Smack's generic tree)
        QuoaliseDataProvider.register();
        ECKey signingKey = signingKey(settings);
        FederationCodec codec = new FederationCodec(jid.toString(), signingKey, Clock.systemUTC(),
                settings.integer("senproxy.inbound.max-data-chars", FederationCodec.DEFAULT_MAX_DATA_CHARS));
        // the app, its keys and the subscription, read for every inbound message, are remembered this long
        Duration lookups = settings.millis("senproxy.inbound.lookup-cache-ms", 5_000);
        Signatures signatures = new Signatures(dataSource, jid.toString(),
                Boolean.parseBoolean(settings.string("senproxy.signing.required", "true")),
                Duration.ofSeconds(settings.integer("senproxy.signing.max-age-s", 600)), Clock.systemUTC(), lookups);
        registry.bind("signatures", signatures);
        DeadLetters deadLetters = new DeadLetters(dataSource);
        Peers peers = new Peers(dataSource, lookups);
        // the proxy's key signs the audit trail's checkpoints too; without it, the trail has none and is never pruned
        AuditTrail audit = new AuditTrail(dataSource, Clock.systemUTC(), signingKey,
                ProxyKeys.read(settings.optional(ProxyKeys.SETTING).orElse(null)));
        boolean consentRequired = Boolean.parseBoolean(settings.string("senproxy.consent.required", "true"));
        if (!consentRequired) {
            LOG.warn("senproxy.consent.required=false: consumers without a consent send, and messages naming no"
                    + " consent are accepted from registered apps");
        }
        registry.bind("audit", audit);
        // read lazily: the connectors' declarations are loaded with their route files, after these beans
        Catalogue catalogue = new Catalogue(context);
        QuoaliseService quoaliseService = new QuoaliseService(dataSource, audit, jid.toString(),
                settings.integer("senproxy.quoalise.max-history-records", 100_000),
                Duration.ofHours(settings.integer("senproxy.quoalise.default-history-hours", 24)),
                identifier -> catalogue.find(identifier).isPresent(), Clock.systemUTC());
        QuoaliseCommands quoalise = new QuoaliseCommands(quoaliseService, catalogue,
                settings.integer("senproxy.quoalise.max-stanza-chars", 32_768));
        link.onConnection(quoalise::register);
        link.onConnection(connection -> connection.addConnectionListener(new AbstractConnectionListener() {
            @Override
            public void authenticated(XMPPConnection authenticated, boolean resumed) {
                startup.end(StartupTimes.XMPP);
            }
        }));
        registry.bind("subscriptions", new Subscriptions(dataSource, audit, consentRequired, lookups));
        registry.bind("federation", codec.describingSeriesWith(catalogue::find));
        registry.bind("peers", peers);
        registry.bind("deadLetters", deadLetters);
        registry.bind("inboundRejects", new InboundRejects(deadLetters, audit, codec, peers));
        registry.bind("userCredentials", userCredentials(settings, dataSource));
        registry.bind("sourceRecords", new SourceRecords());
        ConnectorMetrics connectorMetrics = new ConnectorMetrics(context, Clock.systemUTC());
        registry.bind("connectorMetrics", connectorMetrics);
        QueueMetrics queueMetrics = new QueueMetrics(dataSource, link::isOnline, Clock.systemUTC(), 2_000);
        registry.bind("queueMetrics", queueMetrics);
        registry.bind("platform-http-engine", new StatusServerEngine(settings.integer("camel.server.port", 8080)));
        registry.bind("statusHeaderFilter", new TokenHeaderFilter());
        // the status page's chart: the last minutes in memory, sampled by routes/status-page.camel.yaml
        FlowHistory flowHistory = new FlowHistory(connectorMetrics::flowTotals, queueMetrics::depths,
                Clock.systemUTC(), Duration.ofMinutes(settings.integer("senproxy.status.chart-minutes", 15)));
        registry.bind("flowHistory", flowHistory);
        registry.bind("statusPage", new StatusPage(jid.toString(), connectorMetrics, queueMetrics, deadLetters,
                link::isOnline, statusAccess(settings), context, Clock.systemUTC(), audit, flowHistory));
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                // Camel Main's metrics registry exists by now
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                startup.end(StartupTimes.ROUTES);
                queueMetrics.bindTo(connectorMetrics.registry());
                signatures.bindTo(connectorMetrics.registry());
            }
        });
        registry.bind("watermarks", new Watermarks(dataSource));
        registry.bind("dateWindows", new DateWindows(Clock.systemUTC()));
        // {{mqtt-share:<group>/<topic>}} in an MQTT source's endpoint: a shared subscription when a group is set
        context.getPropertiesComponent().addPropertiesFunction(new MqttShare());
        registry.bind("oauth2Tokens", new OAuth2Tokens(Duration.ofMillis(
                settings.integer("camel.component.http.connect-timeout", 5000)), Clock.systemUTC()));
        Transforms.bindFunctions(registry);
        registry.bind("sendResults", new SendResults());
        // the aggregators of federation-inbound and outbox-ack hand their batches on as lists
        registry.bind("groupedBodies", new GroupedBodyAggregationStrategy());
        registry.bind("inboundBatches", batchThreads(context, "inbound-batches",
                settings.integer("senproxy.inbound.batch-threads", 2)));
        registry.bind("ackBatches", batchThreads(context, "ack-batches",
                settings.integer("senproxy.outbox.ack-batch-threads", 1)));
        // routes/source-gather.camel.yaml
        registry.bind("heldCompletions", new HeldCompletions());
        registry.bind("gatheredRecords", new GatheredRecords());
        registry.bind("gatherBatches", batchThreads(context, "source-gather",
                settings.integer("senproxy.source.gather-threads", 1)));
        registry.bind("flowLog", new FlowLog());
        OutboxRepository outbox = new OutboxRepository(dataSource, audit, jid.toString(), consentRequired,
                new OutboxPacker(settings.integer("senproxy.outbox.max-records-per-message", 250)), replica,
                settings.integer("senproxy.outbox.batch-size", 100),
                settings.integer("senproxy.outbox.window", 200),
                settings.integer("senproxy.outbox.lease-ms", 60_000),
                retry(settings, "senproxy.outbox", "retry-first-ms", 1000),
                retry(settings, "senproxy.outbox", "ack-timeout-ms", 30_000));
        outbox.countWithheld(connectorMetrics);
        quoaliseService.countWithheld(connectorMetrics);
        registry.bind("outbox", outbox);
        registry.bind("inbox", new InboxRepository(dataSource, audit, replica,
                settings.integer("senproxy.inbox.batch-size", 100),
                settings.integer("senproxy.inbox.lease-ms", 60_000),
                retry(settings, "senproxy.inbox", "retry-first-ms", 1000)));
        registry.bind("retention", retention(settings, dataSource, connectorMetrics));
        registry.bind("auditRetention", new AuditRetention(audit, settings.integer("senproxy.audit.retention-days", 0),
                Clock.systemUTC()));
        bindMonitoring(context, settings, jid.toString(), replica, dataSource, catalogue, connectorMetrics,
                queueMetrics);

        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                link.close();
                dataSource.close();
            }
        }, true, true);
        LOG.info("Status page on http://{}:{}/status; health and metrics on http://{}:{}/observe",
                settings.string("camel.server.host", "127.0.0.1"), settings.string("camel.server.port", "8080"),
                settings.string("camel.management.host", "127.0.0.1"),
                settings.string("camel.management.port", "9876"));
        LOG.info("sen-proxy {} (replica {}) using {} and XMPP {}:{}", jid, replica, Urls.redacted(dataSource.getJdbcUrl()),
                xmppHost, xmppPort);
        startup.end(StartupTimes.BEANS);
    }

    /**
     * The threads that settle an aggregator's batches: a queue of as many batches as threads, then the thread that
     * completed a batch settles it itself (back-pressure on the XMPP listener, instead of batches piling up in memory).
     * Zero: the completing thread always settles its batch (route tests use it, to see a message settled when their
     * send returns).
     */
    private static ExecutorService batchThreads(CamelContext context, String name, int threads) {
        if (threads <= 0) {
            return new SynchronousExecutorService();
        }
        ThreadPoolProfile profile = new ThreadPoolProfileBuilder(name).poolSize(threads).maxPoolSize(threads)
                .maxQueueSize(threads).rejectedPolicy(ThreadPoolRejectedPolicy.CallerRuns).build();
        return context.getExecutorServiceManager().newThreadPool(ProxyBeans.class, name, profile);
    }

    /**
     * The retention of finished rows (routes/retention.camel.yaml). Warns when finished rows would go before a sender
     * with this proxy's outbox settings gives up on a message: a message sent again after its inbox row is gone would
     * be stored and delivered again.
     */
    private static Retention retention(Settings settings, DataSource dataSource, ConnectorMetrics metrics) {
        int doneDays = settings.integer("senproxy.retention.done-days", 7);
        Duration giveUp = settings.millis("senproxy.outbox.max-backoff-ms", 600_000)
                .multipliedBy(settings.integer("senproxy.outbox.max-attempts", 20));
        if (Duration.ofDays(doneDays).compareTo(giveUp) <= 0) {
            LOG.warn("senproxy.retention.done-days ({}) is not longer than a sender's attempts (max-attempts x"
                    + " max-backoff-ms: {}): a message sent again after its inbox row is deleted is delivered again",
                    doneDays, giveUp);
        }
        return new Retention(dataSource, metrics::registry, doneDays,
                settings.integer("senproxy.retention.keys-days", 35),
                settings.integer("senproxy.retention.dead-letter-days", 90),
                settings.integer("senproxy.retention.batch-size", 10_000));
    }

    /** Who may read the status page and act through it: the admin and read tokens (StatusAccess). */
    private static StatusAccess statusAccess(Settings settings) {
        StatusAccess access = new StatusAccess(settings.optional("senproxy.admin.token").orElse(null),
                settings.optional("senproxy.admin.read-token").orElse(null));
        if (access.open()) {
            LOG.warn("The status page (/status.json) is readable without a token and admin actions are off: set"
                    + " senproxy.admin.read-token and senproxy.admin.token");
        }
        return access;
    }

    /**
     * Users' credentials of local applications, encrypted at rest. Keys are read (and checked) now, so that a
     * malformed key stops the start; without any, the proxy runs and only a use of credentials fails.
     */
    private static UserCredentials userCredentials(Settings settings, DataSource dataSource) {
        CredentialKeys keys = CredentialKeys.fromSettings(key -> settings.optional(key).orElse(null));
        if (!keys.isEmpty()) {
            LOG.info("Local-application credentials are encrypted with key {} (readable: {})", keys.currentId(),
                    String.join(", ", keys.ids()));
        }
        return new UserCredentials(dataSource, new CredentialCipher(keys), UserCredentials.DEFAULT_BATCH_SIZE);
    }

    /** The proxy's private signing key (a JWK file), or null: its messages then go unsigned. */
    private static ECKey signingKey(Settings settings) throws IOException, ParseException {
        Optional<String> file = settings.optional("senproxy.signing.key-file");
        if (file.isEmpty()) {
            LOG.warn("Messages are sent unsigned: set senproxy.signing.key-file (sen-proxy keys generate makes one)");
            return null;
        }
        ECKey key = ECKey.parse(Files.readString(Path.of(file.get())));
        if (!key.isPrivate()) {
            throw new IllegalStateException("senproxy.signing.key-file " + file.get() + " holds a public key only");
        }
        LOG.info("Messages are signed with key {}", key.getKeyID());
        return key;
    }

    private static RetryPolicy retry(Settings settings, String prefix, String firstDelayKey, long firstDelayMillis) {
        return new RetryPolicy(settings.integer(prefix + ".max-attempts", 20),
                settings.millis(prefix + "." + firstDelayKey, firstDelayMillis),
                settings.millis(prefix + ".max-backoff-ms", 600_000), 0.2);
    }

    private static HikariDataSource dataSource(Settings settings, String searchPath) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("sen-proxy");
        config.setJdbcUrl(settings.string("senproxy.db.url", "jdbc:postgresql://localhost:5432/senproxy"));
        config.setUsername(settings.string("senproxy.db.user", "senproxy"));
        settings.optional("senproxy.db.password").ifPresent(config::setPassword);
        config.setMaximumPoolSize(settings.integer("senproxy.db.pool-size", 10));
        config.setInitializationFailTimeout(settings.integer("senproxy.db.connect-timeout-ms", 30_000));
        // a JDBC batch of INSERTs (audit entries, outbox rows, postgres-sink's records) goes as multi-row INSERTs: one
        // statement per 128 rows for PostgreSQL to run, not one per row. Batch update counts then read "no info"
        // (SUCCESS_NO_INFO): no code here reads them
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        // the proxy's tables in their own schema, then the local application's in public (ProxySchema)
        config.addDataSourceProperty("currentSchema", searchPath);
        return new HikariDataSource(config);
    }

    private static XMPPTCPConnectionConfiguration xmppConfiguration(Settings settings, EntityBareJid jid, String host,
            int port) throws Exception {
        // No XEP-0198 stream management: Smack 4.3.5 asks the server for an ack only when its queue of unacknowledged
        // stanzas holds exactly 400; after a reconnect the count can pass 400 without hitting it, and the writer then
        // blocks for good at 500 (seen after ejabberd restarts). The proxies' own end-to-end acknowledgements already
        // make every message durable: a message the stream lost is sent again after senproxy.outbox.ack-timeout-ms.
        XMPPTCPConnection.setUseStreamManagementDefault(false);
        XMPPTCPConnectionConfiguration.Builder builder = XMPPTCPConnectionConfiguration.builder()
                .setXmppDomain(jid.asDomainBareJid())
                .setHost(host)
                .setPort(port)
                .setConnectTimeout(settings.integer("senproxy.xmpp.connect-timeout-ms", 5000))
                .setSecurityMode(securityMode(settings.string("senproxy.xmpp.security", "required")))
                .setSendPresence(true);
        var trustStore = settings.optional("senproxy.xmpp.truststore");
        if (trustStore.isPresent()) {
            builder.setCustomSSLContext(sslContext(Path.of(trustStore.get()),
                    settings.optional("senproxy.xmpp.truststore-password").orElse("")));
        }
        return builder.build();
    }

    private static SecurityMode securityMode(String value) {
        switch (value) {
            case "required":
                return SecurityMode.required;
            case "ifpossible":
                return SecurityMode.ifpossible;
            case "disabled":
                LOG.warn("XMPP without TLS (senproxy.xmpp.security=disabled): only for a trusted local network");
                return SecurityMode.disabled;
            default:
                throw new IllegalStateException(
                        "senproxy.xmpp.security must be required, ifpossible or disabled, not " + value);
        }
    }

    private static SSLContext sslContext(Path trustStore, String password) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        try (InputStream in = Files.newInputStream(trustStore)) {
            store.load(in, password.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }

    /**
     * The one XMPP endpoint of this proxy, the consumer of federation-inbound ({@code ref:federationXmpp}).
     * It owns the session; routes send on that same session through {@code federationLink}.
     * doc=true: the consumer hands over the whole stanza.
     */
    private static XmppEndpoint xmppEndpoint(CamelContext context, Settings settings, EntityBareJid jid,
            XMPPTCPConnectionConfiguration configuration, String hostAndPort) {
        XmppEndpoint endpoint = context.getEndpoint("xmpp://" + hostAndPort, XmppEndpoint.class);
        endpoint.setConnectionConfig(configuration);
        endpoint.setUser(jid.getLocalpart().toString());
        endpoint.setPassword(settings.required("senproxy.xmpp.password"));
        endpoint.setResource(settings.string("senproxy.xmpp.resource", "sen-proxy"));
        endpoint.setParticipant(jid.toString());
        endpoint.setDoc(true);
        endpoint.setTestConnectionOnStartup(false);
        endpoint.setConnectionPollDelay(settings.integer("senproxy.xmpp.reconnect-delay-s", 5));
        return endpoint;
    }

    /**
     * The catalogue of the connectors' series (routes/catalogue.camel.yaml), and what the proxy tells its monitoring
     * JID: heartbeat and alarms (routes/heartbeat.camel.yaml, routes/alarms.camel.yaml).
     */
    private static void bindMonitoring(CamelContext context, Settings settings, String jid, String replica,
            DataSource dataSource, Catalogue catalogue, ConnectorMetrics connectorMetrics, QueueMetrics queueMetrics) {
        Registry registry = context.getRegistry();
        registry.bind("catalogue", catalogue);
        registry.bind("hypercat", new HyperCat(catalogue, jid, new StatusAccess(
                settings.optional("senproxy.admin.token").orElse(null),
                settings.optional("senproxy.admin.read-token").orElse(null))));
        Monitoring monitoring = new Monitoring(jid, settings.optional("senproxy.heartbeat.jid").orElse(null));
        Alarms alarms = new Alarms(catalogue, dataSource, monitoring,
                settings.integer("senproxy.alarms.stale-periods", 3), Clock.systemUTC());
        registry.bind("alarms", alarms);
        registry.bind("heartbeat", new Heartbeat(monitoring, replica, connectorMetrics, queueMetrics, alarms,
                settings.millis("senproxy.heartbeat.interval-ms", 60_000), Clock.systemUTC()));
        if (monitoring.enabled()) {
            LOG.info("Heartbeat and alarms go to {}", settings.optional("senproxy.heartbeat.jid").orElseThrow());
        }
    }
}
