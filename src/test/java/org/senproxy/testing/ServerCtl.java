package org.senproxy.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A Debian XMPP server's control command (ejabberdctl, prosodyctl) run from the tests: found on the PATH or in the
 * system folders a non-login shell's PATH may lack, run with its output in a temporary file (not a pipe: a server
 * started by it may leave a detached process behind that would hold a pipe open), killed with its children after a
 * time limit, a password masked in what it shows.
 */
final class ServerCtl {

    private final String binary;
    private final String notInstalled;

    private ServerCtl(String binary, String notInstalled) {
        this.binary = binary;
        this.notInstalled = notInstalled;
    }

    /**
     * @param name the command, e.g. ejabberdctl
     * @param notInstalled what to tell the reader when it is missing, e.g. "ejabberd is not installed: run ..."
     */
    static ServerCtl find(String name, String notInstalled) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        // Debian installs server commands in /usr/sbin, which a non-login shell's PATH may lack
        dirs.addAll(List.of("/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin", "/sbin"));
        Optional<Path> found = dirs.stream()
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, name))
                .filter(candidate -> Files.isRegularFile(candidate) && Files.isExecutable(candidate))
                .findFirst();
        return new ServerCtl(
                found.orElseThrow(() -> new IllegalStateException(
                                notInstalled + " (" + name + " not found on the PATH: " + path + ")"))
                        .toString(),
                notInstalled);
    }

    /**
     * Runs the command with {@code args}, waiting at most {@code timeout}.
     *
     * @param secret a value to mask in the command line and output of any error (the password), or null
     */
    Result run(Duration timeout, String secret, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(binary);
        command.addAll(List.of(args));
        String shown = mask(String.join(" ", command), secret);
        Path log = Files.createTempFile(Path.of(binary).getFileName() + "-", ".log");
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
                        notInstalled + " (cannot run " + binary + ": " + e.getMessage() + ")", e);
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

    /** What a run gave: its exit code and output. */
    record Result(String command, int exitCode, String output, Duration took) {

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
