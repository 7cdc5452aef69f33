package org.senproxy.federation;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.jivesoftware.smack.AbstractXMPPConnection;
import org.jivesoftware.smack.ConnectionCreationListener;
import org.jivesoftware.smack.SmackException;
import org.jivesoftware.smack.XMPPConnection;
import org.jivesoftware.smack.XMPPConnectionRegistry;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This proxy's XMPP session: knows whether it is up, and brings it back after the server went away.
 *
 * <p>camel-xmpp owns the connection and does not expose it, so the link recognises the connections built
 * from this proxy's own configuration as Smack creates them. camel-xmpp's consumer reconnects with
 * {@code connect()} alone, which since Smack 4.2 no longer logs in: left to itself, the session would stay
 * connected but unauthenticated after a server restart. (Smack's ReconnectionManager does not help: it
 * gives up as soon as the connection is connected, logged in or not.) So the link checks the session every
 * {@code senproxy.xmpp.reconnect-delay-s} and connects and logs in again when needed.
 */
public final class FederationLink implements ConnectionCreationListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FederationLink.class);

    private final XMPPTCPConnectionConfiguration configuration;
    private final AtomicReference<AbstractXMPPConnection> current = new AtomicReference<>();
    private final ScheduledExecutorService watchdog;

    public FederationLink(XMPPTCPConnectionConfiguration configuration, int checkSeconds) {
        this.configuration = configuration;
        XMPPConnectionRegistry.addConnectionCreationListener(this);
        watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "federation-link");
            thread.setDaemon(true);
            return thread;
        });
        watchdog.scheduleWithFixedDelay(this::keepUp, checkSeconds, checkSeconds, TimeUnit.SECONDS);
    }

    @Override
    public void connectionCreated(XMPPConnection connection) {
        if (connection instanceof AbstractXMPPConnection c && c.getConfiguration() == configuration) {
            current.set(c);
        }
    }

    /** True while the session is connected and logged in: sending makes sense. */
    public boolean isOnline() {
        XMPPConnection connection = current.get();
        return connection != null && connection.isConnected() && connection.isAuthenticated();
    }

    private void keepUp() {
        AbstractXMPPConnection connection = current.get();
        if (connection == null || connection.isAuthenticated()) {
            return;
        }
        try {
            if (!connection.isConnected()) {
                connection.connect();
            }
            connection.login();
            LOG.info("XMPP session {} is back", connection.getUser());
        } catch (SmackException.AlreadyConnectedException | SmackException.AlreadyLoggedInException e) {
            // camel-xmpp's consumer got there first: fine
        } catch (Exception e) {
            LOG.debug("XMPP session still down: {}", e.toString());
        }
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
        XMPPConnectionRegistry.removeConnectionCreationListener(this);
    }
}
