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
 * The Debian ejabberd (23.01) installed and configured by {@code .ci/ejabberd-setup.sh}, driven through
 * {@code ejabberdctl}: domain {@code localhost} on 127.0.0.1:5222, STARTTLS required with a self-signed
 * certificate for {@code localhost}, no traffic shaper, accounts made with {@code ejabberdctl register}.
 *
 * <p>ejabberdctl must run as root (or as the ejabberd user). Accounts and offline messages live in the
 * server's Mnesia database and survive {@link #stop()}/{@link #start()}.
 */
public final class EjabberdTestServer implements XmppTestServer {

    private static final String DOMAIN = "localhost";
    private static final String HOST = "127.0.0.1";
    private static final int PORT = 5222;
    private static final String DEFAULT_TRUST_STORE = "/etc/ejabberd/senproxy-truststore.jks";
    private static final String DEFAULT_TRUST_STORE_PASSWORD = "changeit";
    private static final Path RUN_DIR = Path.of("/run/ejabberd");
    private static final String EJABBERD_USER = "ejabberd";

    /** Quick commands (status, register, stop, start). */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    /** {@code ejabberdctl started|stopped} poll up to 30 x 2 s themselves. */
    private static final Duration WAIT_COMMAND_TIMEOUT = Duration.ofSeconds(90);

    private static final Duration PORT_TIMEOUT = Duration.ofSeconds(30);

    /** Exit codes of {@code ejabberdctl status}. */
    private static final int STATUS_RUNNING = 0;

    private static final int STATUS_STARTING_OR_STOPPING = 1;
    private static final int STATUS_NODE_DOWN = 3;

    private static final String NOT_INSTALLED = "ejabberd is not installed: run .ci/ejabberd-setup.sh";

    private final ServerCtl ejabberdctl;
    private final Path trustStore;
    private final String trustStorePassword;

    public EjabberdTestServer() {
        this.ejabberdctl = ServerCtl.find("ejabberdctl", NOT_INSTALLED);
        this.trustStore = Path.of(env("SENPROXY_XMPP_TRUSTSTORE", DEFAULT_TRUST_STORE));
        this.trustStorePassword = env("SENPROXY_XMPP_TRUSTSTORE_PASSWORD", DEFAULT_TRUST_STORE_PASSWORD);
    }

    @Override
    public String domain() {
        return DOMAIN;
    }

    @Override
    public String host() {
        return HOST;
    }

    @Override
    public int port() {
        return PORT;
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
        // A fresh account each time: the server keeps an account's offline messages across runs (and a killed
        // run leaves some), which a new test would otherwise receive. Unregistering drops them.
        ejabberdctl.run(COMMAND_TIMEOUT, null, "unregister", user, DOMAIN);
        ejabberdctl
                .run(COMMAND_TIMEOUT, password, "register", user, DOMAIN, password)
                .check();
    }

    @Override
    public void start() throws Exception {
        int status = status();
        if (status == STATUS_RUNNING) {
            awaitPort(true);
            return;
        }
        if (status == STATUS_NODE_DOWN) {
            prepareRunDirectory();
            ejabberdctl.run(COMMAND_TIMEOUT, null, "start").check();
        }
        // Otherwise the node is up and ejabberd is starting (or failing): wait for it as well.
        ejabberdctl
                .run(WAIT_COMMAND_TIMEOUT, null, "started")
                .check("ejabberd did not start (see /var/log/ejabberd/ejabberd.log and error.log)");
        awaitPort(true);
    }

    @Override
    public void stop() throws Exception {
        if (status() != STATUS_NODE_DOWN) {
            ServerCtl.Result stop = ejabberdctl.run(COMMAND_TIMEOUT, null, "stop");
            // The node may have gone down between status and stop: `stopped` below tells.
            ServerCtl.Result stopped = ejabberdctl.run(WAIT_COMMAND_TIMEOUT, null, "stopped");
            if (stopped.exitCode() != 0) {
                throw new IllegalStateException(
                        "ejabberd did not stop\n" + stop.describe() + "\n" + stopped.describe());
            }
        }
        awaitPort(false);
    }

    /**
     * The exit code of {@code ejabberdctl status}: 0 running, 3 node down, 1 node up but ejabberd not (yet, or
     * no longer) running. Any other code (7: not run as root or ejabberd) is an error.
     */
    private int status() throws Exception {
        ServerCtl.Result status = ejabberdctl.run(COMMAND_TIMEOUT, null, "status");
        if (status.exitCode() != STATUS_RUNNING
                && status.exitCode() != STATUS_STARTING_OR_STOPPING
                && status.exitCode() != STATUS_NODE_DOWN) {
            throw new IllegalStateException("cannot query ejabberd\n" + status.describe());
        }
        return status.exitCode();
    }

    /** {@code mkdir -p /run/ejabberd}, owned by ejabberd (it holds the pid file; /run is a tmpfs). */
    private static void prepareRunDirectory() throws IOException {
        Files.createDirectories(RUN_DIR);
        PosixFileAttributeView view =
                Files.getFileAttributeView(RUN_DIR, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return;
        }
        UserPrincipalLookupService lookup = RUN_DIR.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal owner = lookup.lookupPrincipalByName(EJABBERD_USER);
        GroupPrincipal group = lookup.lookupPrincipalByGroupName(EJABBERD_USER);
        if (!owner.equals(view.getOwner())) {
            view.setOwner(owner);
        }
        if (!group.equals(view.readAttributes().group())) {
            view.setGroup(group);
        }
    }

    /** Waits until 127.0.0.1:5222 accepts (open) or refuses (closed) TCP connections. */
    private static void awaitPort(boolean open) throws InterruptedException {
        long deadline = System.nanoTime() + PORT_TIMEOUT.toNanos();
        while (true) {
            if (accepts() == open) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("ejabberd port " + HOST + ":" + PORT + " still "
                        + (open ? "refuses" : "accepts") + " connections after " + PORT_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
    }

    private static boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, PORT), 500);
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
