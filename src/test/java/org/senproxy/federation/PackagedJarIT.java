package org.senproxy.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.senproxy.testing.LocalFederation;
import org.senproxy.testing.LogCapture;

/**
 * The packaged artifact as an operator runs it: proxy B is {@code java -jar target/sen-proxy.jar}, configured by
 * environment variables alone (SENPROXY_XMPP_JID, SENPROXY_DB_URL, SENPROXY_CONNECTORS...), reading its route
 * files from disk; proxy A runs in this JVM and sends it the Eco-devices series.
 */
class PackagedJarIT {

    private static LocalFederation federation;

    @BeforeAll
    static void start() throws Exception {
        federation = LocalFederation.start(
                Map.of(
                        "ecodevices.poll-interval-ms", "100",
                        "senproxy.outbox.poll-interval-ms", "200",
                        "senproxy.outbox.ack-timeout-ms", "2000",
                        "senproxy.outbox.max-backoff-ms", "2000",
                        "senproxy.xmpp.reconnect-delay-s", "1"),
                true);
    }

    @AfterAll
    static void stop() throws Exception {
        if (federation != null) {
            federation.close();
        }
    }

    @Test
    void theJarConfiguredByEnvironmentReceivesAndStoresWhatASends() throws Exception {
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    assertThat(federation.receiverProcess.isAlive())
                            .as("the jar is running; see " + federation.receiverLog)
                            .isTrue();
                    return federation.ecodevices.served().size() >= 20 && storedAtB() >= 20 * 5;
                });
        federation.polling(false);
        long served = federation.ecodevices.served().size();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> storedAtB() == served * 5);
        assertThat(federation.count(federation.databaseB, "SELECT count(DISTINCT (name, time)) FROM measurement"))
                .isEqualTo(served * 5);

        String log = Files.readString(federation.receiverLog);
        assertThat(log).contains("sen-proxy proxy-b@localhost").contains("Started postgres-sink");
        assertThat(log)
                .as("the jar's log never shows its password")
                .doesNotContain(federation.password(LocalFederation.B));
    }

    @Test
    void bothProxiesServeMetricsAndHealthOnTheirManagementPort() throws Exception {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> get(LocalFederation.B, "/observe/health/ready").statusCode() == 200);
        assertThat(get(LocalFederation.B, "/observe/health/live").statusCode()).isEqualTo(200);
        assertThat(get(LocalFederation.B, "/observe/health?exposureLevel=full").body())
                .contains("{\"name\":\"xmpp\",\"status\":\"UP\"}")
                .contains("{\"name\":\"database\",\"status\":\"UP\"}");

        String metricsB = get(LocalFederation.B, "/observe/metrics").body();
        assertThat(metricsB)
                .contains("camel_exchanges_total{")
                .contains("routeId=\"federation-inbound\"")
                .contains("jvm_memory_used_bytes")
                .contains("senproxy_xmpp_connected 1.0")
                .contains("senproxy_inbox_rows{status=\"pending\"}")
                .contains("senproxy_dead_letters{origin=\"inbound\"}");

        // A's source counters match what entered its outbox
        await().atMost(Duration.ofSeconds(30))
                .until(() -> federation.ecodevices.served().size() >= 3);
        federation.polling(false);
        String metricsA = get(LocalFederation.A, "/observe/metrics").body();
        long inOutbox = federation.count(federation.databaseA, "SELECT coalesce(sum(record_count), 0) FROM outbox");
        assertThat(metricsA)
                .contains("senproxy_source_records_total{connector=\"ecodevices-source\"} " + (double) inOutbox)
                .contains("senproxy_source_last_success_seconds{connector=\"ecodevices-source\"}");
        federation.polling(true);
    }

    @Test
    void oneCorrelationIdFollowsABatchThroughBothProxiesLogs() throws Exception {
        try (LogCapture flowAtA = new LogCapture("senproxy.flow", Level.DEBUG)) {
            federation.polling(true);
            long before = federation.count(federation.databaseA, "SELECT coalesce(max(id), 0) FROM outbox");
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> federation.count(
                                    federation.databaseA,
                                    "SELECT count(*) FROM outbox WHERE status = 'acked' AND id > " + before)
                            > 0);
            String correlation = federation.text(
                    federation.databaseA,
                    "SELECT correlation_id FROM outbox" + " WHERE status = 'acked' AND id > " + before
                            + " ORDER BY id LIMIT 1");

            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> {
                        assertThat(flowAtA.messagesWithMdc("SenproxyCorrelation", correlation))
                                .as("A's log lines of correlation %s", correlation)
                                .contains("appended to the outbox")
                                .contains("Sending message")
                                .contains("acknowledged by its recipient");
                        assertThat(linesAtB("SenproxyCorrelation", correlation))
                                .as("B's log lines of correlation %s", correlation)
                                .anyMatch(m -> m.contains("stored in the inbox and acknowledged"))
                                .anyMatch(m -> m.contains("delivered to postgres-sink"));
                    });
            assertThat(federation.text(
                            federation.databaseB,
                            "SELECT string_agg(DISTINCT correlation_id, ',') FROM inbox" + " WHERE correlation_id = '"
                                    + correlation + "'"))
                    .isEqualTo(correlation);
        }
    }

    /** The messages of B's JSON log lines whose MDC has this key and value. */
    private static List<String> linesAtB(String key, String value) throws Exception {
        List<String> messages = new ArrayList<>();
        for (String line : Files.readAllLines(federation.receiverLog)) {
            if (!line.startsWith("{")) {
                continue;
            }
            JsonNode event = JSON.readTree(line);
            if (value.equals(event.path("mdc").path(key).asText(null))) {
                messages.add(event.path("formattedMessage").asText());
            }
        }
        return messages;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static HttpResponse<String> get(String proxy, String path) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(federation.management(proxy) + path))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theJarAnswersHelp() throws Exception {
        Process help = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-jar",
                        "target" + File.separator + "sen-proxy.jar",
                        "--help")
                .redirectErrorStream(true)
                .start();
        String out = new String(help.getInputStream().readAllBytes());
        assertThat(help.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(help.exitValue()).isZero();
        assertThat(out).contains("Usage: sen-proxy").contains("run");
    }

    private static long storedAtB() {
        try {
            return federation.count(federation.databaseB, "SELECT count(*) FROM measurement");
        } catch (java.sql.SQLException e) {
            return 0; // the sink creates its table once the jar has started
        }
    }
}
