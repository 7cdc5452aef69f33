package org.senproxy.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A real InfluxDB 1.x for tests: Debian's {@code influxd} (package influxdb, installed by .ci/run) started as a
 * process of its own on free loopback ports, with its data in a temporary folder; stopped and removed by close().
 */
public final class InfluxTestServer implements AutoCloseable {

    private static final Path INFLUXD = Path.of("/usr/bin/influxd");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path folder;
    private final int port;
    private final Process process;
    private final HttpClient http = HttpClient.newHttpClient();

    public InfluxTestServer() throws Exception {
        ServerBinaries.require(INFLUXD.toString(), "influxdb");
        folder = Files.createTempDirectory("influxdb-test");
        port = FreePort.next();
        Path config = folder.resolve("influxdb.conf");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "reporting-disabled = true",
                        "bind-address = \"127.0.0.1:" + FreePort.next() + "\"",
                        "[meta]",
                        "  dir = \"" + folder.resolve("meta") + "\"",
                        "[data]",
                        "  dir = \"" + folder.resolve("data") + "\"",
                        "  wal-dir = \"" + folder.resolve("wal") + "\"",
                        "  query-log-enabled = false",
                        "[http]",
                        "  enabled = true",
                        "  bind-address = \"127.0.0.1:" + port + "\"",
                        "  log-enabled = false",
                        "[monitor]",
                        "  store-enabled = false",
                        "[continuous_queries]",
                        "  enabled = false",
                        "[subscriber]",
                        "  enabled = false",
                        ""));
        process = new ProcessBuilder(INFLUXD.toString(), "-config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(folder.resolve("influxd.log").toFile())
                .start();
        awaitPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Runs an InfluxQL statement (CREATE DATABASE, SELECT...) and returns the JSON answer. */
    public JsonNode query(String database, String influxQl) throws IOException, InterruptedException {
        String uri = url() + "/query?epoch=u&q=" + URLEncoder.encode(influxQl, StandardCharsets.UTF_8)
                + (database == null ? "" : "&db=" + database);
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(uri))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("InfluxDB answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private void awaitPort() throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("influxd exited: " + Files.readString(folder.resolve("influxd.log")));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                process.waitFor(100, TimeUnit.MILLISECONDS);
            }
        }
        throw new IllegalStateException("influxd did not listen on " + port + " within 30 s");
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        try (var files = Files.walk(folder)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }
}
