package org.senproxy.runtime;

import static org.senproxy.runtime.ProxyBeans.LOG;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.sql.DataSource;

import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.xmpp.XmppEndpoint;
import org.apache.camel.processor.aggregate.GroupedBodyAggregationStrategy;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.EventNotifierSupport;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.senproxy.federation.FederationCodec;
import org.senproxy.federation.FederationLink;
import org.senproxy.federation.OwnKeys;
import org.senproxy.federation.PeerResources;
import org.senproxy.federation.Peers;
import org.senproxy.federation.QuoaliseDataProvider;
import org.senproxy.federation.Signatures;

/**
 * Federation: the one XMPP session of the proxy ({@code federationLink}, and {@code federationXmpp}, the endpoint that
 * owns it), the codec of federation messages ({@code federation}), the signature check of inbound ones
 * ({@code signatures}), the known peers ({@code peers}) and their replicas online ({@code peerResources}), and the aggregation of federation-inbound's and outbox-ack's
 * batches into lists ({@code groupedBodies}).
 */
record FederationConfiguration(
        EntityBareJid jid,
        String xmppHost,
        int xmppPort,
        FederationLink link,
        FederationCodec codec,
        Signatures signatures,
        Peers peers,
        PeerResources peerResources) {

    /**
     * @param keys       the proxy's keys (the one that signs now; none: messages go unsigned)
     * @param lookups    how long an app and its keys read for an inbound message are remembered
     */
    static FederationConfiguration bind(
            CamelContext context, Settings settings, DataSource dataSource, OwnKeys keys, Duration lookups)
            throws Exception {
        Registry registry = context.getRegistry();
        EntityBareJid jid = JidCreate.entityBareFrom(settings.required("senproxy.xmpp.jid"));
        String xmppHost =
                settings.optional("senproxy.xmpp.host").orElse(jid.getDomain().toString());
        int xmppPort = settings.integer("senproxy.xmpp.port");
        XMPPTCPConnectionConfiguration xmpp = xmppConfiguration(settings, jid, xmppHost, xmppPort);
        FederationLink link = new FederationLink(xmpp, settings.integer("senproxy.xmpp.reconnect-delay-s"));
        registry.bind("federationLink", link);
        registry.bind("federationXmpp", xmppEndpoint(context, settings, jid, xmpp, xmppHost + ":" + xmppPort));

        // a received data element is kept as XML, read once by the codec (not as Smack's generic tree)
        QuoaliseDataProvider.register();
        FederationCodec codec = new FederationCodec(
                jid.toString(), keys::current, Clock.systemUTC(), settings.integer("senproxy.inbound.max-data-chars"));
        registry.bind("federation", codec);
        Signatures signatures = new Signatures(
                dataSource,
                jid.toString(),
                settings.bool("senproxy.signing.required"),
                Duration.ofSeconds(settings.integer("senproxy.signing.max-age-s")),
                Clock.systemUTC(),
                lookups);
        registry.bind("signatures", signatures);
        Peers peers = new Peers(dataSource, lookups);
        registry.bind("peers", peers);
        // which replica of a peer gets each data message (outbox-dispatch-write), learnt from presence
        PeerResources peerResources = new PeerResources(
                peers,
                jid.toString(),
                settings.bool("senproxy.xmpp.address-replicas"),
                settings.integer("senproxy.xmpp.replica-run"));
        // announced to the peers once the routes have started, and withdrawn when the proxy starts stopping
        peerResources.holdUntilReady();
        link.onConnection(peerResources::attach);
        registry.bind("peerResources", peerResources);
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                // some routes are not started yet
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                peerResources.ready();
            }
        });
        EventNotifierSupport stopping = new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                peerResources.stopping();
            }

            @Override
            public boolean isEnabled(CamelEvent event) {
                return event instanceof CamelEvent.CamelContextStoppingEvent;
            }
        };
        // the context's own events only: no event made for each exchange, route or step
        stopping.setIgnoreExchangeEvents(true);
        stopping.setIgnoreRouteEvents(true);
        stopping.setIgnoreStepEvents(true);
        stopping.setIgnoreServiceEvents(true);
        context.getManagementStrategy().addEventNotifier(stopping);
        // the aggregators of federation-inbound and outbox-ack hand their batches on as lists
        registry.bind("groupedBodies", new GroupedBodyAggregationStrategy());
        return new FederationConfiguration(jid, xmppHost, xmppPort, link, codec, signatures, peers, peerResources);
    }

    private static XMPPTCPConnectionConfiguration xmppConfiguration(
            Settings settings, EntityBareJid jid, String host, int port) throws Exception {
        // No XEP-0198 stream management: Smack 4.3.5 asks the server for an ack only when its queue of unacknowledged
        // stanzas holds exactly 400; after a reconnect the count can pass 400 without hitting it, and the writer then
        // blocks for good at 500 (seen after ejabberd restarts). The proxies' own end-to-end acknowledgements already
        // make every message durable: a message the stream lost is sent again after senproxy.outbox.ack-timeout-ms.
        XMPPTCPConnection.setUseStreamManagementDefault(false);
        XMPPTCPConnectionConfiguration.Builder builder = XMPPTCPConnectionConfiguration.builder()
                .setXmppDomain(jid.asDomainBareJid())
                .setHost(host)
                .setPort(port)
                .setConnectTimeout(settings.integer("senproxy.xmpp.connect-timeout-ms"))
                .setSecurityMode(securityMode(settings.string("senproxy.xmpp.security")))
                .setSendPresence(true);
        var trustStore = settings.optional("senproxy.xmpp.truststore");
        if (trustStore.isPresent()) {
            builder.setCustomSSLContext(
                    sslContext(Path.of(trustStore.get()), settings.string("senproxy.xmpp.truststore-password")));
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
    private static XmppEndpoint xmppEndpoint(
            CamelContext context,
            Settings settings,
            EntityBareJid jid,
            XMPPTCPConnectionConfiguration configuration,
            String hostAndPort) {
        XmppEndpoint endpoint = context.getEndpoint("xmpp://" + hostAndPort, XmppEndpoint.class);
        endpoint.setConnectionConfig(configuration);
        endpoint.setUser(jid.getLocalpart().toString());
        endpoint.setPassword(settings.required("senproxy.xmpp.password"));
        endpoint.setResource(settings.string("senproxy.xmpp.resource"));
        endpoint.setParticipant(jid.toString());
        endpoint.setDoc(true);
        endpoint.setTestConnectionOnStartup(false);
        endpoint.setConnectionPollDelay(settings.integer("senproxy.xmpp.reconnect-delay-s"));
        return endpoint;
    }
}
