package org.senproxy.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;

/**
 * The Debian Prosody (0.12) installed and configured by {@code .ci/prosody-setup.sh} (.ci/prosody.cfg.lua), driven
 * through {@code prosodyctl}: domain {@code localhost} on 127.0.0.1:5422, next to the ejabberd of
 * {@link EjabberdTestServer} on 5222; STARTTLS required with a self-signed certificate for {@code localhost}, c2s rate
 * limit raised, offline messages kept, accounts made with {@code prosodyctl register}. Selected by
 * SENPROXY_IT_XMPP=prosody.
 *
 * <p>Environment variables, each with the setup script's default (set the same ones for both):
 * <ul>
 * <li>{@code SENPROXY_PROSODY_HOST} (127.0.0.1): where the clients connect; the config listens on loopback only;</li>
 * <li>{@code SENPROXY_PROSODY_PORT} (5422): the c2s port;</li>
 * <li>{@code SENPROXY_PROSODY_TRUSTSTORE} (/etc/prosody/senproxy-truststore.jks) and
 * {@code SENPROXY_PROSODY_TRUSTSTORE_PASSWORD} (changeit): the JKS trust store holding the server's certificate.
 * Names of their own, not ejabberd's SENPROXY_XMPP_TRUSTSTORE: each server has its certificate.</li>
 * </ul>
 *
 * <p>prosodyctl must run as root (it then acts as the prosody user) or as prosody. Accounts and offline messages live
 * in /var/lib/prosody and survive {@link #stop()}/{@link #start()}; {@code prosodyctl deluser} removes both.
 */
public final class ProsodyTestServer implements XmppTestServer {

    private static final String DOMAIN = "localhost";
    private static final String DEFAULT_HOST = "127.0.0.1";
    private static final int DEFAULT_PORT = 5422;
    private static final String DEFAULT_TRUST_STORE = "/etc/prosody/senproxy-truststore.jks";
    private static final String DEFAULT_TRUST_STORE_PASSWORD = "changeit";
    private static final Path RUN_DIR = Path.of("/run/prosody");
    private static final String PROSODY_USER = "prosody";

    /** prosodyctl commands; start and stop wait ~2.5 s for the server themselves, then give up with code 2. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    private static final Duration PORT_TIMEOUT = Duration.ofSeconds(30);

    private static final String NOT_INSTALLED = "Prosody is not installed: run .ci/prosody-setup.sh";

    private final ServerCtl prosodyctl;
    private final String host;
    private final int port;
    private final Path trustStore;
    private final String trustStorePassword;

    public ProsodyTestServer() {
        this.prosodyctl = ServerCtl.find("prosodyctl", NOT_INSTALLED);
        this.host = env("SENPROXY_PROSODY_HOST", DEFAULT_HOST);
        this.port = Integer.parseInt(env("SENPROXY_PROSODY_PORT", Integer.toString(DEFAULT_PORT)));
        this.trustStore = Path.of(env("SENPROXY_PROSODY_TRUSTSTORE", DEFAULT_TRUST_STORE));
        this.trustStorePassword = env("SENPROXY_PROSODY_TRUSTSTORE_PASSWORD", DEFAULT_TRUST_STORE_PASSWORD);
        if (!Files.isRegularFile(trustStore)) {
            throw new IllegalStateException(NOT_INSTALLED + " (no trust store " + trustStore + ")");
        }
    }

    @Override
    public String domain() {
        return DOMAIN;
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public Path trustStore() {
        return trustStore;
    }

    @Override
    public String trustStorePassword() {
        return trustStorePassword;
    }

    @Override
    public void register(String user, String password) throws Exception {
        XmppTestServer.checkAccount(user, password);
        // A fresh account each time: the server keeps an account's offline messages across runs (and a killed run
        // leaves some), which a new test would otherwise receive. deluser purges the account's storage with it; it
        // fails (exit 1) when there is no such account, which is fine.
        prosodyctl.run(COMMAND_TIMEOUT, null, "deluser", user + "@" + DOMAIN);
        prosodyctl
                .run(COMMAND_TIMEOUT, password, "register", user, DOMAIN, password)
                .check();
    }

    @Override
    public void start() throws Exception {
        if (!running()) {
            prepareRunDirectory();
            ServerCtl.Result start = prosodyctl.run(COMMAND_TIMEOUT, null, "start");
            // exit 2: started but not yet running after prosodyctl's own wait; the port below tells
            if (start.exitCode() != 0 && start.exitCode() != 2 && !running()) {
                throw new IllegalStateException("Prosody did not start (see /var/log/prosody/prosody.log and"
                        + " prosody.err)\n" + start.describe());
            }
        }
        awaitPort(true);
    }

    @Override
    public void stop() throws Exception {
        if (running()) {
            ServerCtl.Result stop = prosodyctl.run(COMMAND_TIMEOUT, null, "stop");
            // exit 2: still shutting down after prosodyctl's own wait; the port below tells
            if (stop.exitCode() != 0 && stop.exitCode() != 2 && running()) {
                throw new IllegalStateException("Prosody did not stop\n" + stop.describe());
            }
        }
        awaitPort(false);
    }

    /** {@code prosodyctl status}: 0 running, 1 not running (or no pid file). */
    private boolean running() throws Exception {
        return prosodyctl.run(COMMAND_TIMEOUT, null, "status").exitCode() == 0;
    }

    /** {@code mkdir -p /run/prosody}, owned by prosody (it holds the pid file; /run is a tmpfs). */
    private static void prepareRunDirectory() throws IOException {
        Files.createDirectories(RUN_DIR);
        PosixFileAttributeView view =
                Files.getFileAttributeView(RUN_DIR, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return;
        }
        UserPrincipalLookupService lookup = RUN_DIR.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal owner = lookup.lookupPrincipalByName(PROSODY_USER);
        GroupPrincipal group = lookup.lookupPrincipalByGroupName(PROSODY_USER);
        if (!owner.equals(view.getOwner())) {
            view.setOwner(owner);
        }
        if (!group.equals(view.readAttributes().group())) {
            view.setGroup(group);
        }
    }

    /** Waits until the c2s port accepts (open) or refuses (closed) TCP connections. */
    private void awaitPort(boolean open) throws InterruptedException {
        long deadline = System.nanoTime() + PORT_TIMEOUT.toNanos();
        while (true) {
            if (accepts() == open) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("Prosody port " + host + ":" + port + " still "
                        + (open ? "refuses" : "accepts") + " connections after " + PORT_TIMEOUT.toSeconds() + " s"
                        + " (see /var/log/prosody/prosody.log and prosody.err)");
            }
            Thread.sleep(100);
        }
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
