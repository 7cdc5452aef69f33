package org.senproxy.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.jivesoftware.smack.SmackException;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Stanza;
import org.senproxy.runtime.Blocks;
import org.senproxy.runtime.ProxyBeans;
import org.senproxy.senml.Measurement;
import org.senproxy.senml.Senml;

/**
 * Runs some of the project's real route files (names in routes/, or paths such as
 * {@code connectors/postgres-sink.camel.yaml}; routes/errors.camel.yaml always) in a Camel context with the proxy's real beans on a fresh
 * embedded PostgreSQL database. The XMPP endpoint is swapped for {@code mock:xmpp} (what the routes send
 * over XMPP lands there), and routes started by timers can have their {@code from} replaced by a direct
 * endpoint so that a test triggers them itself.
 */
public final class RouteHarness implements AutoCloseable {

    public static final String OWN_JID = "proxy-a@localhost";

    public final DefaultCamelContext context = new DefaultCamelContext();
    public final String database = TestPostgres.newDatabase("routes");
    /** Stands in for the proxy's XMPP session: online by default; what it sends lands in mock:xmpp. */
    public final Link link = new Link(true);

    public RouteHarness(Map<String, String> settings, String... routeFiles) throws Exception {
        Properties properties = new Properties();
        properties.put(
                "senproxy.home", Path.of(".").toAbsolutePath().normalize().toString());
        properties.put("senproxy.db.url", database);
        properties.put("senproxy.db.user", "postgres");
        properties.put("senproxy.db.pool-size", "2");
        properties.put("senproxy.xmpp.jid", OWN_JID);
        properties.put("senproxy.xmpp.password", "never-used");
        properties.put("senproxy.xmpp.host", "127.0.0.1");
        properties.put("senproxy.xmpp.port", "1");
        // route tests of other matters seed consumers and messages without consents or signatures; the trust tests
        // turn both on, as they are by default
        properties.put("senproxy.consent.required", "false");
        properties.put("senproxy.signing.required", "false");
        // a batch of one, settled by the thread that received it: each message, each ack, is done when the test's
        // send returns; InboundBatchRouteTest and TeleinfoMqttSourceTest run batches of several, on their own threads
        properties.put("senproxy.inbound.batch-size", "1");
        properties.put("senproxy.inbound.batch-threads", "0");
        properties.put("senproxy.outbox.ack-batch-size", "1");
        properties.put("senproxy.outbox.ack-batch-threads", "0");
        properties.put("senproxy.source.gather-size", "1");
        properties.put("senproxy.source.gather-threads", "0");
        properties.putAll(settings);
        context.getPropertiesComponent().setOverrideProperties(properties);
        new ProxyBeans().configure(context);
        replaceBean("federationXmpp", context.getEndpoint("mock:xmpp"));
        replaceBean("federationLink", link);
        // the building blocks' route templates (kamelets/*.camel.yaml), as the proxy loads them with its routes
        try (var blocks = java.nio.file.Files.newDirectoryStream(Path.of(Blocks.FOLDER), "*.camel.yaml")) {
            for (Path block : blocks) {
                PluginHelper.getRoutesLoader(context)
                        .loadRoutes(ResourceHelper.resolveMandatoryResource(context, "file:" + block));
            }
        }
        // the shared error handling (routes/errors.camel.yaml), which the proxy's own routes name, with every route
        // file
        PluginHelper.getRoutesLoader(context)
                .loadRoutes(ResourceHelper.resolveMandatoryResource(context, "file:routes/errors.camel.yaml"));
        for (String file : routeFiles) {
            if (file.equals("errors.camel.yaml")) {
                continue; // loaded above
            }
            String path = file.contains("/") ? file : "routes/" + file;
            PluginHelper.getRoutesLoader(context)
                    .loadRoutes(ResourceHelper.resolveMandatoryResource(context, "file:" + path));
        }
    }

    /**
     * A bean standing in for the federation link, to run the routes as if the XMPP session were up or down.
     * Sent stanzas go to mock:xmpp (whose failures are the send's failures); offline, sending fails as the
     * real link does.
     */
    public final class Link {
        private volatile boolean online;

        public Link(boolean online) {
            this.online = online;
        }

        public boolean isOnline() {
            return online;
        }

        public void send(Stanza stanza) throws SmackException.NotConnectedException {
            if (!online) {
                throw new SmackException.NotConnectedException("the XMPP session is down");
            }
            try {
                template().sendBody("mock:xmpp", stanza);
            } catch (CamelExecutionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
        }

        public void online(boolean value) {
            online = value;
        }
    }

    /**
     * A polling source connector's route file with the routes it calls (source-errors, outbox-append), its quartz
     * {@code from} replaced by {@code direct:poll} ({@link #poll()}), and app b (proxy-b@localhost) subscribed to it.
     * Not started: bind what the connector needs, then {@link #start()}.
     */
    public static RouteHarness forSource(String connector, Map<String, String> settings) throws Exception {
        RouteHarness harness = new RouteHarness(
                settings, "errors.camel.yaml", "outbox-append.camel.yaml", "connectors/" + connector + ".camel.yaml");
        harness.sql("INSERT INTO app (name, jid) VALUES ('b', 'proxy-b@localhost')");
        harness.sql("INSERT INTO consumer (source, app_id) SELECT '" + connector + "', id FROM app");
        return harness.replaceFrom(connector, "direct:poll");
    }

    /**
     * The receiving side, started: federation-inbound with its error handling, outbox-ack and inbox-delivery; stanzas go
     * in through {@code direct:xmpp-in} (header CamelXmppDoc: the stanza), due inbox rows are delivered on
     * {@code direct:deliver-due}, and the sink (senproxy.inbox.sink=test-sink) is {@code mock:sink}.
     */
    public static RouteHarness forInbound(Map<String, String> settings) throws Exception {
        Map<String, String> all = new HashMap<>(settings);
        all.put("senproxy.inbox.sink", "test-sink");
        RouteHarness harness = new RouteHarness(
                all,
                "federation-inbound.camel.yaml",
                "errors.camel.yaml",
                "outbox-ack.camel.yaml",
                "inbox-delivery.camel.yaml");
        harness.replaceFrom("federation-inbound", "direct:xmpp-in");
        harness.replaceFrom("inbox-delivery", "direct:deliver-due");
        harness.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:test-sink").routeId("test-sink").to("mock:sink");
            }
        });
        return harness.start();
    }

    /** A stanza received by a harness made by {@link #forInbound}, as camel-xmpp hands it over (header CamelXmppDoc). */
    public void receive(Stanza stanza) {
        template().sendBodyAndHeader("direct:xmpp-in", stanza, "CamelXmppDoc", stanza);
    }

    /** One poll of a harness made by {@link #forSource}. */
    public void poll() {
        template().sendBody("direct:poll", null);
    }

    /** Every record in the outbox, resolved, in the order the rows were written. */
    public List<Measurement> outboxRecords() throws SQLException {
        List<Measurement> records = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT payload FROM outbox ORDER BY id")) {
            while (rs.next()) {
                records.addAll(Senml.resolve(Senml.parseJson(rs.getString(1)), 0));
            }
        }
        return records;
    }

    /** Puts a stand-in in place of one of the proxy's beans (the registry keeps one bean per name and type). */
    public void replaceBean(String name, Object bean) {
        context.getRegistry().unbind(name);
        context.getRegistry().bind(name, bean);
    }

    public RouteHarness replaceFrom(String routeId, String uri) throws Exception {
        AdviceWith.adviceWith(context, routeId, a -> a.replaceFromWith(uri));
        return this;
    }

    public RouteHarness addRoutes(RouteBuilder builder) throws Exception {
        context.addRoutes(builder);
        return this;
    }

    /**
     * A source connector standing in: route {@code name} takes what is sent to {@code direct:<name>} to outbox-append,
     * as a connector's last step does, so the outbox rows name {@code name} as their source.
     */
    public RouteHarness addSource(String name) throws Exception {
        return addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:" + name).routeId(name).to("direct:outbox-append");
            }
        });
    }

    public RouteHarness start() {
        context.start();
        return this;
    }

    public ProducerTemplate template() {
        return context.createProducerTemplate();
    }

    public MockEndpoint mock(String name) {
        return context.getEndpoint("mock:" + name, MockEndpoint.class);
    }

    /** The {@code index}th stanza the routes sent over XMPP (to {@code mock:xmpp}). */
    public Message sentOverXmpp(int index) {
        return mock("xmpp").getExchanges().get(index).getIn().getBody(Message.class);
    }

    public void sql(String statement) throws SQLException {
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    public String text(String query) throws SQLException {
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(query)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    public long count(String query) throws SQLException {
        String value = text(query);
        return value == null ? 0 : Long.parseLong(value);
    }

    /** Returns once a transaction on this harness's database waits on a lock another one holds (pg_stat_activity). */
    public void awaitLockWait() {
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(10))
                .until(() -> count(
                                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()")
                        > 0);
    }

    @Override
    public void close() {
        context.stop();
    }
}
