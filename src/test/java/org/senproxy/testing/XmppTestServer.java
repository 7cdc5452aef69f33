package org.senproxy.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jxmpp.jid.impl.JidCreate;

/**
 * A real XMPP server for tests and the demo: embedded Apache Vysper by default, or the Debian ejabberd
 * that .ci/run installs (environment variable SENPROXY_IT_XMPP=ejabberd), or the Debian Prosody it installs for a
 * second, shorter pass (SENPROXY_IT_XMPP=prosody; .ci/prosody-setup.sh).
 */
public interface XmppTestServer extends AutoCloseable {

    /** The XMPP domain, also the host name in the server certificate. */
    String domain();

    String host();

    int port();

    /** A JKS trust store that holds the server's certificate. */
    Path trustStore();

    String trustStorePassword();

    /** Creates an account on the server, afresh: an account of that name is deleted first, with its offline messages. */
    void register(String user, String password) throws Exception;

    /** What {@link #register} accepts: a bare local part and a password. */
    static void checkAccount(String user, String password) {
        if (user == null || user.isBlank() || user.contains("@")) {
            throw new IllegalArgumentException("user must be a bare local part, not " + user);
        }
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("password must not be empty");
        }
    }

    /** Starts the server; returns once it accepts client connections. */
    void start() throws Exception;

    /** Stops the server; every client session is cut. */
    void stop() throws Exception;

    /** A client session of {@code user} on this server (STARTTLS with the server's certificate), logged in. */
    default XMPPTCPConnection connect(String user, String password, String resource) throws Exception {
        XMPPTCPConnection connection = session(user, password, resource);
        connection.connect().login();
        return connection;
    }

    /**
     * A client session of {@code user} on this server, not connected yet (to add listeners, commands or a roster mode
     * before it logs in).
     */
    default XMPPTCPConnection session(String user, String password, String resource) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        try (var in = Files.newInputStream(trustStore())) {
            store.load(in, trustStorePassword().toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        XMPPTCPConnectionConfiguration config = XMPPTCPConnectionConfiguration.builder()
                .setXmppDomain(JidCreate.domainBareFrom(domain()))
                .setHost(host())
                .setPort(port())
                .setSecurityMode(SecurityMode.required)
                .setCustomSSLContext(ssl)
                .setUsernameAndPassword(user, password)
                .setResource(resource)
                .setSendPresence(true)
                .build();
        return new XMPPTCPConnection(config);
    }

    @Override
    default void close() throws Exception {
        stop();
    }

    /** The server selected by SENPROXY_IT_XMPP (vysper, the default, ejabberd or prosody). */
    static XmppTestServer fromEnvironment() throws Exception {
        String kind = System.getenv().getOrDefault("SENPROXY_IT_XMPP", "");
        if (kind.isBlank()) {
            kind = System.getProperty("senproxy.it.xmpp", "vysper");
        }
        switch (kind) {
            case "ejabberd":
                return new EjabberdTestServer();
            case "prosody":
                return new ProsodyTestServer();
            case "vysper":
                return new VysperTestServer();
            default:
                throw new IllegalArgumentException("SENPROXY_IT_XMPP must be vysper, ejabberd or prosody, not " + kind);
        }
    }
}
