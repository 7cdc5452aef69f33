package org.senproxy.federation;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.jivesoftware.smack.AbstractXMPPConnection;
import org.jivesoftware.smack.ConnectionCreationListener;
import org.jivesoftware.smack.SmackException;
import org.jivesoftware.smack.XMPPConnection;
import org.jivesoftware.smack.XMPPConnectionRegistry;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This proxy's XMPP session: knows whether it is up, sends stanzas on it, and logs in again after the
 * server went away.
 *
 * <p>camel-xmpp's consumer (federation-inbound) owns the connection; the link recognises the connections
 * built from this proxy's own configuration as Smack creates them.
 *
 * <p>Who does what after a server restart or a network cut:
 * <ul>
 * <li>camel-xmpp's consumer reconnects ({@code connect()}) every {@code senproxy.xmpp.reconnect-delay-s};</li>
 * <li>since Smack 4.2, {@code connect()} no longer logs in, and Smack's ReconnectionManager gives up as soon as
 * the connection is connected, logged in or not: so the link logs in again when it finds the session connected
 * but not authenticated.</li>
 * </ul>
 * The link never calls {@code connect()} itself, and the routes send through {@link #send(Stanza)}, which refuses
 * while the session is down, rather than through camel-xmpp's producer, which would call {@code connect()}. One
 * reconnecting thread only: with Smack 4.3.5, a second thread entering {@code connect()} while a failed attempt is
 * being cleaned up takes the connection's monitor before Smack's own error handler does, then waits forever for
 * the old writer thread that only that handler can stop (seen with ejabberd restarts).
 */
public final class FederationLink implements ConnectionCreationListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FederationLink.class);

    private final XMPPTCPConnectionConfiguration configuration;
    private final AtomicReference<AbstractXMPPConnection> current = new AtomicReference<>();
    private final ScheduledExecutorService watchdog;
    private final List<Consumer<XMPPConnection>> connectionListeners = new CopyOnWriteArrayList<>();

    public FederationLink(XMPPTCPConnectionConfiguration configuration, int checkSeconds) {
        this.configuration = configuration;
        XMPPConnectionRegistry.addConnectionCreationListener(this);
        watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "federation-link");
            thread.setDaemon(true);
            return thread;
        });
        watchdog.scheduleWithFixedDelay(this::keepLoggedIn, checkSeconds, checkSeconds, TimeUnit.SECONDS);
    }

    @Override
    public void connectionCreated(XMPPConnection connection) {
        if (connection instanceof AbstractXMPPConnection c && c.getConfiguration() == configuration) {
            current.set(c);
            connectionListeners.forEach(listener -> listener.accept(c));
        }
    }

    /** Called with each session this proxy creates, before it connects: to serve IQs on it (Quoalise commands). */
    public void onConnection(Consumer<XMPPConnection> listener) {
        connectionListeners.add(listener);
    }

    /** True while the session is connected and logged in: sending makes sense. */
    public boolean isOnline() {
        XMPPConnection connection = current.get();
        return connection != null && connection.isConnected() && connection.isAuthenticated();
    }

    /**
     * Writes a stanza to the session's stream. Like any XMPP send, success means the stream took it, not that
     * the peer got it: the peer's acknowledgement says that.
     *
     * @throws SmackException.NotConnectedException while the session is down (it is not brought up here)
     */
    public void send(Stanza stanza) throws SmackException.NotConnectedException, InterruptedException {
        AbstractXMPPConnection connection = current.get();
        if (connection == null || !connection.isAuthenticated()) {
            throw new SmackException.NotConnectedException("the XMPP session is down");
        }
        connection.sendStanza(stanza);
    }

    private void keepLoggedIn() {
        AbstractXMPPConnection connection = current.get();
        if (connection == null || !connection.isConnected() || connection.isAuthenticated()) {
            return;
        }
        try {
            connection.login();
            LOG.info("XMPP session {} is back", connection.getUser());
        } catch (SmackException.AlreadyLoggedInException e) {
            // logged in meanwhile: fine
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
