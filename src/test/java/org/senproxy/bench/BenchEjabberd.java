package org.senproxy.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.senproxy.testing.XmppTestServer;

/**
 * An ejabberd node of the benchmark's own: the Debian ejabberd that .ci/ejabberd-setup.sh installs, with the
 * configuration the tests use (.ci/ejabberd.yml: no shaper, STARTTLS with the localhost certificate) on another port
 * ({@code bench.xmpp-port}, 5322) and node ({@code ejabberd-bench@localhost}), its own Mnesia spool and logs. Tests
 * on the same machine stop and start the shared node on 5222; a benchmark on it lost its sessions with every such
 * restart. Started afresh for each run, stopped at the end.
 */
final class BenchEjabberd implements XmppTestServer {

    private static final Path SPOOL = Path.of("/var/lib/ejabberd-bench");
    private static final Path LOGS = Path.of("/var/log/ejabberd-bench");
    static final String NODE = "ejabberd-bench@localhost";

    private final int port;

    BenchEjabberd(int port) {
        this.port = port;
    }

    @Override
    public String domain() {
        return "localhost";
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public Path trustStore() {
        return Path.of(
                System.getenv().getOrDefault("SENPROXY_XMPP_TRUSTSTORE", "/etc/ejabberd/senproxy-truststore.jks"));
    }

    @Override
    public String trustStorePassword() {
        return System.getenv().getOrDefault("SENPROXY_XMPP_TRUSTSTORE_PASSWORD", "changeit");
    }

    /** Log file of the node (its errors, if it does not start). */
    Path log() {
        return LOGS.resolve("ejabberd.log");
    }

    @Override
    public void register(String user, String password) throws Exception {
        ctl("unregister", user, domain());
        check(ctl("register", user, domain(), password), "register " + user);
    }

    @Override
    public void start() throws Exception {
        if (!Files.isExecutable(Path.of("/usr/sbin/ejabberdctl"))) {
            throw new IllegalStateException("ejabberd is not installed: run .ci/ejabberd-setup.sh");
        }
        stop();
        for (Path dir : List.of(SPOOL, LOGS, Path.of("/run/ejabberd"))) {
            Files.createDirectories(dir);
            chown(dir);
        }
        String config = Files.readString(Path.of(".ci", "ejabberd.yml")).replace("port: 5222", "port: " + port);
        if (!config.contains("port: " + port)) {
            throw new IllegalStateException(".ci/ejabberd.yml has no 'port: 5222' to move to " + port);
        }
        writeOwned(SPOOL.resolve("ejabberd.yml"), config);
        // the Debian ejabberdctl.cfg names /etc/ejabberd/ejabberd.yml and the shared node's pid file: not ours
        writeOwned(
                SPOOL.resolve("ejabberdctl.cfg"),
                "ERL_OPTIONS=\"-env ERL_CRASH_DUMP_BYTES 0\"\n"
                        + "EJABBERD_PID_PATH=/run/ejabberd/ejabberd-bench.pid\n");
        check(ctl("start"), "start");
        check(ctl("started"), "start (see " + log() + ")");
    }

    @Override
    public void stop() throws Exception {
        if (ctl("status").exitCode() != 3) { // 3: node down
            ctl("stop");
            ctl("stopped");
        }
    }

    private record Result(int exitCode, String output) {}

    private static Result ctl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                "/usr/sbin/ejabberdctl",
                "--node",
                NODE,
                "--config",
                SPOOL.resolve("ejabberd.yml").toString(),
                "--ctl-config",
                SPOOL.resolve("ejabberdctl.cfg").toString(),
                "--spool",
                SPOOL.toString(),
                "--logs",
                LOGS.toString()));
        command.addAll(List.of(args));
        // through a file: `start` leaves a detached Erlang VM behind that would hold a pipe open
        Path out = Files.createTempFile("ejabberdctl-", ".log");
        try {
            Process p = new ProcessBuilder(command)
                    .directory(new File("/tmp"))
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("ejabberdctl " + String.join(" ", args) + " did not finish in 120 s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static void check(Result r, String what) {
        if (r.exitCode() != 0) {
            throw new IllegalStateException("ejabberd-bench: " + what + " failed (" + r.exitCode() + "): "
                    + r.output().strip());
        }
    }

    private static void writeOwned(Path file, String text) throws IOException, InterruptedException {
        Files.writeString(file, text);
        chown(file);
    }

    private static void chown(Path path) throws IOException, InterruptedException {
        new ProcessBuilder("chown", "ejabberd:ejabberd", path.toString())
                .inheritIO()
                .start()
                .waitFor();
    }
}
