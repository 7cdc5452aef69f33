package org.senproxy.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real MQTT broker for tests: Debian's Mosquitto ({@code /usr/sbin/mosquitto}, package {@code mosquitto}) run as a
 * process of its own on a free 127.0.0.1 port, for anonymous clients or for one user. Like a broker in service, it
 * keeps the sessions of clients connected with {@code cleanSession=false} (subscriptions, queued and unacknowledged
 * messages) while they are away and, saved in its temporary folder, across {@link #restart()}; a new broker starts
 * empty.
 * It runs as the test's user (as root, Mosquitto would otherwise switch to user mosquitto, which cannot write its
 * sessions or its log into the folder). Its log is {@code mosquitto.log} in that folder, named by {@link #toString()}.
 */
public final class MosquittoTestBroker implements AutoCloseable {

    private static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");

    private final Path folder;
    private final int port;
    private final Path conf;
    private Process process;

    /** A broker that lets anonymous clients in. */
    public MosquittoTestBroker() throws IOException {
        this(null, null);
    }

    /** A broker that lets in only {@code user} with {@code password} (none: anonymous clients). */
    public MosquittoTestBroker(String user, String password) throws IOException {
        this(user, password, List.of());
    }

    /** Same, with more lines of mosquitto.conf ({@code max_inflight_messages 100}...). */
    public MosquittoTestBroker(String user, String password, List<String> settings) throws IOException {
        ServerBinaries.require(MOSQUITTO.toString(), "mosquitto");
        folder = Files.createTempDirectory("mosquitto-test");
        port = FreePort.next();
        String access = "allow_anonymous true";
        if (user != null) {
            Path passwords = folder.resolve("passwords");
            runPasswd(passwords, user, password);
            access = "allow_anonymous false\npassword_file " + passwords;
        }
        conf = Files.writeString(
                folder.resolve("mosquitto.conf"),
                String.join(
                        "\n",
                        "listener " + port + " 127.0.0.1",
                        access,
                        "user " + System.getProperty("user.name"),
                        "persistence true",
                        "persistence_location " + folder + "/",
                        "log_dest file " + folder.resolve("mosquitto.log"),
                        "log_type all",
                        String.join("\n", settings),
                        ""));
        start();
    }

    /** The broker's URL as camel-paho and the Paho client want it: {@code tcp://127.0.0.1:<port>}. */
    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    /** The operating system's id of the broker's process (for its CPU time), or -1 while it is stopped. */
    public long pid() {
        return process == null ? -1 : process.pid();
    }

    /** What the broker logged so far (every packet it sent and received). */
    public String log() throws IOException {
        Path log = folder.resolve("mosquitto.log");
        return Files.isRegularFile(log) ? Files.readString(log) : "";
    }

    /**
     * Stops the broker, which closes every client's connection, and starts it again on the same port with the
     * sessions it had.
     */
    public void restart() throws IOException {
        stop();
        start();
    }

    /** Stops the broker (SIGTERM): it closes its connections and saves its sessions before it exits. */
    public void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Starts the broker (again, after {@link #stop()}) and waits until it accepts connections. */
    public void start() throws IOException {
        if (process != null) {
            return;
        }
        process = new ProcessBuilder(MOSQUITTO.toString(), "-c", conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        folder.resolve("mosquitto.out").toFile()))
                .start();
        try {
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> !process.isAlive() || accepts(port));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        if (!process.isAlive()) {
            String out = Files.readString(folder.resolve("mosquitto.out"));
            process = null;
            close();
            throw new IllegalStateException("mosquitto exited at start: " + out);
        }
    }

    private static void runPasswd(Path file, String user, String password) throws IOException {
        Process passwd = new ProcessBuilder("/usr/bin/mosquitto_passwd", "-b", "-c", file.toString(), user, password)
                .redirectErrorStream(true)
                .start();
        try {
            String out = new String(passwd.getInputStream().readAllBytes());
            if (!passwd.waitFor(10, TimeUnit.SECONDS) || passwd.exitValue() != 0) {
                throw new IllegalStateException("mosquitto_passwd failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        stop();
        if (!Files.isDirectory(folder)) {
            return;
        }
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "mosquitto on " + url() + " (" + folder + ")";
    }
}
