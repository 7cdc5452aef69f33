package org.senproxy.testing;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

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

    private final String ejabberdctl;
    private final Path trustStore;
    private final String trustStorePassword;

    public EjabberdTestServer() {
        this.ejabberdctl = findEjabberdctl()
                .orElseThrow(() -> new IllegalStateException(
                        NOT_INSTALLED + " (ejabberdctl not found on the PATH: " + System.getenv("PATH") + ")"));
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
        if (user == null || user.isBlank() || user.contains("@")) {
            throw new IllegalArgumentException("user must be a bare local part, not " + user);
        }
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("password must not be empty");
        }
        // A fresh account each time: the server keeps an account's offline messages across runs (and a killed
        // run leaves some), which a new test would otherwise receive. Unregistering drops them.
        run(COMMAND_TIMEOUT, null, "unregister", user, DOMAIN);
        run(COMMAND_TIMEOUT, password, "register", user, DOMAIN, password).check();
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
            run(COMMAND_TIMEOUT, null, "start").check();
        }
        // Otherwise the node is up and ejabberd is starting (or failing): wait for it as well.
        run(WAIT_COMMAND_TIMEOUT, null, "started")
                .check("ejabberd did not start (see /var/log/ejabberd/ejabberd.log and error.log)");
        awaitPort(true);
    }

    @Override
    public void stop() throws Exception {
        if (status() != STATUS_NODE_DOWN) {
            Result stop = run(COMMAND_TIMEOUT, null, "stop");
            // The node may have gone down between status and stop: `stopped` below tells.
            Result stopped = run(WAIT_COMMAND_TIMEOUT, null, "stopped");
            if (stopped.exitCode != 0) {
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
        Result status = run(COMMAND_TIMEOUT, null, "status");
        if (status.exitCode != STATUS_RUNNING
                && status.exitCode != STATUS_STARTING_OR_STOPPING
                && status.exitCode != STATUS_NODE_DOWN) {
            throw new IllegalStateException("cannot query ejabberd\n" + status.describe());
        }
        return status.exitCode;
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

    /**
     * Runs {@code ejabberdctl args...} with a timeout; stdout and stderr together are captured (through a
     * file: {@code ejabberdctl start} leaves a detached Erlang VM behind that would hold a pipe open).
     *
     * @param secret a value to mask in the command line and output of any error (the password), or null
     */
    private Result run(Duration timeout, String secret, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ejabberdctl);
        command.addAll(List.of(args));
        String shown = mask(String.join(" ", command), secret);
        Path log = Files.createTempFile("ejabberdctl-", ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new IllegalStateException(
                        NOT_INSTALLED + " (cannot run " + ejabberdctl + ": " + e.getMessage() + ")", e);
            }
            long started = System.nanoTime();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                String output = mask(Files.readString(log, StandardCharsets.UTF_8), secret);
                throw new IllegalStateException("'" + shown + "' did not finish within " + timeout.toSeconds()
                        + " s; output:\n" + output.strip());
            }
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            String output = mask(Files.readString(log, StandardCharsets.UTF_8), secret);
            return new Result(shown, process.exitValue(), output, took);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static String mask(String text, String secret) {
        if (secret == null || secret.isEmpty()) {
            return text;
        }
        return text.replace(secret, "********");
    }

    private static Optional<String> findEjabberdctl() {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        // Debian installs it in /usr/sbin, which a non-login shell's PATH may lack.
        dirs.addAll(List.of("/usr/sbin", "/usr/local/sbin", "/sbin"));
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, "ejabberdctl");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate.toString());
            }
        }
        return Optional.empty();
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static final class Result {
        final String command;
        final int exitCode;
        final String output;
        final Duration took;

        Result(String command, int exitCode, String output, Duration took) {
            this.command = command;
            this.exitCode = exitCode;
            this.output = output;
            this.took = took;
        }

        void check() {
            check("command failed");
        }

        void check(String what) {
            if (exitCode != 0) {
                throw new IllegalStateException(what + "\n" + describe());
            }
        }

        String describe() {
            return "'" + command + "' exited with " + exitCode + " after " + took.toMillis() + " ms; output:\n"
                    + output.strip();
        }
    }
}
