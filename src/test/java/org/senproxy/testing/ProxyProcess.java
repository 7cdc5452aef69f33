package org.senproxy.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.senproxy.runtime.Settings;

/**
 * One proxy as an operating system process: {@code java -jar target/sen-proxy.jar}, configured by environment
 * variables alone, its output appended to a log file across restarts. It can be killed as a crash kills it
 * ({@code kill -9}: no shutdown hook, no graceful stop) and started again.
 */
public final class ProxyProcess implements AutoCloseable {

    private final String name;
    private final Map<String, String> settings;
    private final int managementPort = FreePort.next();
    private final Path log;
    private final List<String> jvmOptions;
    private Process process;

    /**
     * Flags of a JVM that tests restart many times: a quicker start-up with C1 only and the serial collector, and the
     * heap a proxy is meant to live in.
     */
    public static final List<String> TEST_JVM = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    /** @param settings the proxy's settings by key (senproxy.db.url...), given as environment variables */
    public ProxyProcess(String name, Map<String, String> settings, Path logFolder) throws IOException {
        this(name, settings, logFolder, TEST_JVM);
    }

    /** @param jvmOptions the flags of the proxy's JVM (the benchmark runs it as in service: C2, its own GC) */
    public ProxyProcess(String name, Map<String, String> settings, Path logFolder, List<String> jvmOptions)
            throws IOException {
        this.name = name;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.settings = new LinkedHashMap<>(settings);
        this.settings.put("camel.management.port", Integer.toString(managementPort));
        this.settings.put("camel.server.port", Integer.toString(FreePort.next()));
        Files.createDirectories(logFolder);
        this.log = logFolder.resolve(name + ".log");
        Files.deleteIfExists(log);
    }

    public String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    /** Port of the management HTTP server (/observe/metrics, /observe/health). */
    public int managementPort() {
        return managementPort;
    }

    /** The operating system's id of the running process. */
    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException(name + " is not started");
        }
        return process.pid();
    }

    public synchronized void start() throws IOException {
        Path jar = Path.of("target", "sen-proxy.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("No " + jar + ": run mvn package (failsafe runs after it)");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        settings.forEach((key, value) -> builder.environment().put(Settings.environmentName(key), value));
        process = builder.start();
    }

    /** SIGKILL, then waits until the process is gone. */
    public synchronized void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** 200 ready, 503 not ready (XMPP or database down), -1 not answering (starting, or dead). */
    public int readiness() {
        try {
            return HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + managementPort + "/observe/health/ready"))
                                    .timeout(Duration.ofSeconds(2))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** SIGTERM (a graceful stop), then SIGKILL if it takes too long. */
    @Override
    public synchronized void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
