package org.senproxy.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.senproxy.runtime.ProxyApplication;
import org.senproxy.testing.EcodevicesStub;
import org.senproxy.testing.EmbeddedMqttBroker;
import org.senproxy.testing.FreePort;
import org.senproxy.testing.HeadlessChromium;
import org.senproxy.testing.LogCapture;
import org.senproxy.testing.OfflineProxy;
import org.slf4j.Logger;

/**
 * The status page of a running proxy, end to end: what status.json says, who may read it and who may act (the read
 * and admin tokens), and the page in headless Chromium asking for a token, then showing a connector, the queues, a dead
 * letter and an alarm with the read token, refusing a replay with it and replaying the dead letter with the admin
 * token. The screenshot is kept as target/status-page.png.
 */
class StatusPageTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "admin-token-for-this-test";
    private static final String READ_TOKEN = "read-token-for-this-test";

    private final HttpClient http = HttpClient.newHttpClient();
    private EcodevicesStub box;
    private ProxyApplication proxy;
    private String database;
    private String web;

    /** Starts the proxy with these tokens ({@code null}: not set). */
    private void start(String adminToken, String readToken) throws Exception {
        box = new EcodevicesStub();
        box.mode(EcodevicesStub.Mode.SERVER_ERROR);
        Map<String, String> settings = OfflineProxy.settings("proxy-s@localhost"); // rows wait in the outbox
        database = settings.get("senproxy.db.url");
        web = "http://127.0.0.1:" + settings.get("camel.server.port");
        if (adminToken != null) {
            settings.put("senproxy.admin.token", adminToken);
        }
        if (readToken != null) {
            settings.put("senproxy.admin.read-token", readToken);
        }
        settings.put("senproxy.connectors", "ecodevices-source, postgres-sink");
        settings.put("ecodevices.address", box.address());
        settings.put("ecodevices.base-name", "urn:dev:prm:09111642617347_");
        settings.put("ecodevices.poll-interval-ms", "300");
        settings.put("senproxy.source.retries", "0");
        settings.put("senproxy.status.chart-step-ms", "500");
        settings.put("senproxy.consent.required", "false"); // the consumer below sends under no consent
        proxy = new ProxyApplication(Path.of("."), settings);
        proxy.start();
        sql(
                "INSERT INTO app (name, jid) VALUES ('b', 'proxy-b@localhost')",
                "INSERT INTO consumer (source, app_id) SELECT 'ecodevices-source', id FROM app",
                "INSERT INTO outbox (message_id, correlation_id, consumer_id, recipient_jid, payload, record_count,"
                        + " status, attempts) SELECT gen_random_uuid(), 'poll-dead', id, 'proxy-b@localhost',"
                        + " '[{\"n\":\"urn:dev:x:1_power\",\"v\":1,\"t\":1700000000}]', 1, 'dead', 20 FROM consumer",
                "INSERT INTO dead_letter (origin, row_id, message_id, route_id, peer_jid, reason, attempts,"
                        + " correlation_id) SELECT 'outbox', id, message_id::text, 'outbox-dispatch', recipient_jid,"
                        + " 'no acknowledgement from proxy-b@localhost after 20 attempts', 20, 'poll-dead' FROM outbox",
                "INSERT INTO dead_letter (origin, message_id, route_id, peer_jid, reason) VALUES ('inbound', 'x1',"
                        + " 'federation-inbound', 'stranger@localhost', 'unknown sender stranger@localhost')",
                "INSERT INTO subscription (app_id, consent_ref, scope, active, ended_at, end_reason) SELECT id,"
                        + " gen_random_uuid(), 'urn:dev:x:*', false, now(), 'b revoked the consent: the household"
                        + " moved' FROM app");
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.stop();
        }
        if (box != null) {
            box.close();
        }
    }

    @Test
    void showsTheProxyAndReplaysADeadLetterFromTheBrowser() throws Exception {
        start(TOKEN, READ_TOKEN);
        // a failed poll (an alarm), then good ones
        await().atMost(Duration.ofSeconds(20))
                .until(() -> status().path("alarms").size() > 0);
        box.mode(EcodevicesStub.Mode.FRAME);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> status().path("connectors").path(0).has("lastSuccess"));
        // the queue counts are read at most every 2 s
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        status().path("queues").path("outbox").path("pending").asLong() > 0);

        JsonNode status = status();
        assertThat(status.path("proxy").asText()).isEqualTo("proxy-s@localhost");
        assertThat(status.path("xmppConnected").asBoolean()).isFalse();
        assertThat(status.path("connectors").path(0).path("name").asText()).isEqualTo("ecodevices-source");
        assertThat(status.path("connectors").path(0).path("failures").asLong()).isPositive();
        // the consumer takes the connector's records now: not waiting for one; nothing withheld for a data period
        await().atMost(Duration.ofSeconds(20))
                .until(() -> status().path("connectors")
                                .path(0)
                                .path("waitingForConsumer")
                                .isBoolean()
                        && !status().path("connectors")
                                .path(0)
                                .path("waitingForConsumer")
                                .asBoolean());
        assertThat(status.path("withheldOutsideDataPeriod").path("append").asLong())
                .isZero();
        assertThat(status.path("queues").path("outbox").path("pending").asLong())
                .isPositive();
        assertThat(status.path("queues").path("outbox").path("dead").asLong()).isEqualTo(1);
        assertThat(status.path("deadLetters")).hasSize(2);
        assertThat(status.path("subscriptions").path(0).path("active").asBoolean())
                .isFalse();
        assertThat(status.path("subscriptions").path(0).path("reason").asText())
                .isEqualTo("b revoked the consent: the household moved");
        assertThat(status.path("alarms").path(0).path("reason").asText()).contains("statusCode: 500");
        long replayable = status.path("deadLetters").findValues("id").stream()
                .map(JsonNode::asLong)
                .filter(id -> id != inboundLetter())
                .findFirst()
                .orElseThrow();

        // admin actions need the admin token
        assertThat(post("/admin/dead-letters/" + replayable + "/replay", null).statusCode())
                .isEqualTo(401);
        assertThat(post("/admin/dead-letters/" + replayable + "/replay", "not-the-token")
                        .statusCode())
                .isEqualTo(401);
        assertThat(post("/admin/dead-letters/" + replayable + "/replay", READ_TOKEN)
                        .statusCode())
                .isEqualTo(403);
        assertThat(post("/admin/dead-letters/" + inboundLetter() + "/replay", TOKEN)
                        .statusCode())
                .isEqualTo(409);

        try (HeadlessChromium chromium = new HeadlessChromium()) {
            chromium.open(web + "/status");
            chromium.await("document.body.dataset.auth === 'needed'", Duration.ofSeconds(20));
            assertThat(chromium.evaluate("document.body.innerText").asText())
                    .as("no data without a token")
                    .contains("enter the read or admin token")
                    .doesNotContain("proxy-s@localhost");
            typeToken(chromium, READ_TOKEN);
            chromium.await("document.body.dataset.loaded === 'true'", Duration.ofSeconds(20));
            String text = chromium.evaluate("document.body.innerText").asText();
            assertThat(text)
                    .contains("proxy-s@localhost")
                    .contains("ecodevices-source")
                    .contains("down")
                    .contains("no acknowledgement from proxy-b@localhost after 20 attempts")
                    .contains("unknown sender stranger@localhost")
                    .contains("b revoked the consent: the household moved")
                    .contains("poll failed")
                    .contains("Records outside their consent's data period, never sent: 0 at append");
            assertThat(chromium.evaluate("document.querySelectorAll('button.replay').length")
                            .asInt())
                    .as("a replay button for the outbox dead letter, none for the refused inbound message")
                    .isEqualTo(1);

            // the chart, drawn in the page: records read per second and the outbox's depth, moving as records flow
            String readLine = "document.querySelector('#chart-rates polyline[data-series=\"in ecodevices-source\"]')";
            chromium.await(readLine + " !== null", Duration.ofSeconds(20));
            String before =
                    chromium.evaluate(readLine + ".getAttribute('points')").asText();
            chromium.await(readLine + ".getAttribute('points') !== '" + before + "'", Duration.ofSeconds(20));
            assertThat(chromium.evaluate("document.querySelector('#chart-depths polyline[data-series=\"outbox"
                                    + " proxy-b@localhost\"]') !== null")
                            .asBoolean())
                    .isTrue();
            assertThat(chromium.evaluate("document.getElementById('legend-rates').textContent")
                            .asText())
                    .contains("read by ecodevices-source: ");
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                JsonNode read = status().path("chart").path("rates").findParents("kind").stream()
                        .filter(l -> l.path("name").asText().equals("ecodevices-source"))
                        .findFirst()
                        .orElseThrow();
                // records were read: some step shows a rate above zero
                return java.util.stream.StreamSupport.stream(read.path("values").spliterator(), false)
                        .anyMatch(v -> v.asDouble() > 0);
            });

            // the read token shows the page but does not replay
            chromium.evaluate("document.querySelector('button.replay').click(); 1");
            chromium.await(
                    "document.getElementById('message').textContent.includes('admin only')", Duration.ofSeconds(20));
            assertThat(text("SELECT status FROM outbox WHERE correlation_id = 'poll-dead'"))
                    .isEqualTo("dead");

            typeToken(chromium, TOKEN);
            chromium.evaluate("document.querySelector('button.replay').click(); 1");
            chromium.await(
                    "document.getElementById('message').textContent.includes('replayed')", Duration.ofSeconds(20));
            chromium.await("document.querySelectorAll('button.replay').length === 0", Duration.ofSeconds(20));
            chromium.screenshot(Path.of("target", "status-page.png"));
        }
        assertThat(text("SELECT status || ' ' || attempts FROM outbox WHERE correlation_id = 'poll-dead'"))
                .isEqualTo("pending 0");
        assertThat(text("SELECT count(*) FROM dead_letter WHERE replayed_at IS NOT NULL"))
                .isEqualTo("1");
    }

    @Test
    void aConnectorWhoseBrokerIsDownIsStartedAgainWithBackOffAndShownMeanwhile() throws Exception {
        int port = FreePort.next();
        Map<String, String> settings = OfflineProxy.settings("proxy-s@localhost");
        web = "http://127.0.0.1:" + settings.get("camel.server.port");
        settings.put("senproxy.admin.read-token", READ_TOKEN);
        settings.put("senproxy.connectors", "teleinfo-mqtt-source");
        settings.put("teleinfo-mqtt.broker-url", "tcp://127.0.0.1:" + port);
        settings.put("teleinfo-mqtt.topic", "teleinfo/021728123456");
        settings.put("teleinfo-mqtt.base-name", "urn:dev:prm:09111642617347_");
        settings.put("camel.routecontroller.backOffDelay", "200");
        settings.put("camel.routecontroller.backOffMaxDelay", "400");
        proxy = new ProxyApplication(Path.of("."), settings);
        proxy.start(); // the broker is away: the proxy starts all the same, without the connector

        await().atMost(Duration.ofSeconds(20))
                .until(() -> status().path("notStarted").size() == 1);
        JsonNode retrying = status().path("notStarted").path(0);
        assertThat(retrying.path("route").asText()).isEqualTo("teleinfo-mqtt-source");
        assertThat(retrying.path("state").asText()).isEqualTo("retrying");
        assertThat(retrying.path("attempts").asLong()).isPositive();
        assertThat(retrying.path("reason").asText()).isNotBlank();
        assertThat(proxy.context()
                        .getRouteController()
                        .getRouteStatus("teleinfo-mqtt-source")
                        .isStarted())
                .isFalse();
        assertThat(proxy.context()
                        .getRouteController()
                        .getRouteStatus("outbox-dispatch")
                        .isStarted())
                .as("the proxy's own routes run")
                .isTrue();

        try (EmbeddedMqttBroker broker = new EmbeddedMqttBroker(port)) {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> proxy.context()
                            .getRouteController()
                            .getRouteStatus("teleinfo-mqtt-source")
                            .isStarted());
            assertThat(status().path("notStarted")).isEmpty();
            proxy.stop();
            proxy = null;
        }
    }

    @Test
    void theReadTokenReadsTheAdminTokenAlsoActsAndOthersLearnNothing() throws Exception {
        start(TOKEN, READ_TOKEN);
        HttpResponse<String> page = get("/status", null);
        assertThat(page.statusCode())
                .as("the page itself holds no data: a browser opens it without a token")
                .isEqualTo(200);
        assertThat(page.body()).contains("<title>sen-proxy status</title>").doesNotContain("proxy-s@localhost");

        HttpResponse<String> none = get("/status.json", null);
        HttpResponse<String> wrong = get("/status.json", "not-the-token");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body())
                .as("a wrong token is answered like none")
                .isEqualTo(none.body())
                .doesNotContain("proxy-s@localhost");
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"sen-proxy\"");
        assertThat(get("/status.json", READ_TOKEN.substring(1)).statusCode()).isEqualTo(401);
        assertThat(get("/status.json", READ_TOKEN + "x").statusCode()).isEqualTo(401);
        assertThat(send(HttpRequest.newBuilder(URI.create(web + "/status.json"))
                                .header("Authorization", "Basic " + READ_TOKEN))
                        .statusCode())
                .isEqualTo(401);
        assertThat(send(HttpRequest.newBuilder(URI.create(web + "/status.json?Authorization="
                                + URLEncoder.encode("Bearer " + READ_TOKEN, StandardCharsets.UTF_8))))
                        .statusCode())
                .as("a token in the URL is not read: URLs end up in logs")
                .isEqualTo(401);

        for (String token : new String[] {READ_TOKEN, TOKEN}) {
            HttpResponse<String> status = get("/status.json", token);
            assertThat(status.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(status.body()).path("proxy").asText()).isEqualTo("proxy-s@localhost");
            assertThat(status.headers().map().toString())
                    .as("the token is not echoed")
                    .doesNotContain(token);
        }
        assertThat(send(HttpRequest.newBuilder(URI.create(web + "/status.json"))
                                .header("Authorization", "bearer " + READ_TOKEN))
                        .statusCode())
                .as("the scheme is case-insensitive")
                .isEqualTo(200);

        HttpResponse<String> noneActs = post("/admin/trace/outbox-dispatch?enabled=true", null);
        HttpResponse<String> wrongActs = post("/admin/trace/outbox-dispatch?enabled=true", "not-the-token");
        HttpResponse<String> readerActs = post("/admin/trace/outbox-dispatch?enabled=true", READ_TOKEN);
        assertThat(noneActs.statusCode()).isEqualTo(401);
        assertThat(wrongActs.statusCode()).isEqualTo(401);
        assertThat(wrongActs.body()).isEqualTo(noneActs.body());
        assertThat(readerActs.statusCode()).isEqualTo(403);
        assertThat(readerActs.body()).contains("admin only");
        assertThat(proxy.context().getTracer().isEnabled()).isFalse();
        assertThat(post("/admin/trace/outbox-dispatch?enabled=false", TOKEN).statusCode())
                .isEqualTo(200);
    }

    @Test
    void withoutAnyTokenConfiguredTheStatusIsOpenAndAdminActionsAreOff() throws Exception {
        start(null, null);
        assertThat(get("/status.json", null).statusCode()).isEqualTo(200);
        assertThat(get("/status.json", "anything").statusCode()).isEqualTo(200);
        HttpResponse<String> replay = post("/admin/dead-letters/" + inboundLetter() + "/replay", "anything");
        assertThat(replay.statusCode()).isEqualTo(403);
        assertThat(replay.body()).contains("admin actions are off: senproxy.admin.token is not set");
        assertThat(post("/admin/trace/outbox-dispatch", null).statusCode()).isEqualTo(403);
    }

    @Test
    void tracingOneRouteIsSwitchedOnAndOffWithoutARestart() throws Exception {
        start(TOKEN, READ_TOKEN);
        assertThat(post("/admin/trace/outbox-dispatch", null).statusCode()).isEqualTo(401);
        assertThat(proxy.context().getTracer().isEnabled()).isFalse();

        HttpResponse<String> on = post("/admin/trace/outbox-dispatch?enabled=true", TOKEN);
        assertThat(on.statusCode()).isEqualTo(200);
        assertThat(proxy.context().getTracer().isEnabled()).isTrue();
        assertThat(proxy.context().getTracer().getTracePattern()).isEqualTo("outbox-dispatch");

        assertThat(post("/admin/trace/outbox-dispatch?enabled=false", TOKEN).statusCode())
                .isEqualTo(200);
        assertThat(proxy.context().getTracer().isEnabled()).isFalse();
        assertThat(post("/admin/trace/no-such-route", TOKEN).statusCode()).isEqualTo(404);

        // the status route traced: its trace does not show the token that read it
        assertThat(post("/admin/trace/status-json?enabled=true", TOKEN).statusCode())
                .isEqualTo(200);
        // Camel's tracer logs under the route's id; status-json is made from a template (camel.main.tracingTemplates)
        try (LogCapture trace = new LogCapture(Logger.ROOT_LOGGER_NAME)) {
            assertThat(get("/status.json", READ_TOKEN).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> trace.messages(Level.INFO).contains("[status-json"));
            assertThat(trace.messages(Level.INFO)).doesNotContain(READ_TOKEN);
            // by default the trace shows headers and body sizes, not bodies (the page's JSON here)
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> trace.messages(Level.INFO).contains("chars)"));
            assertThat(trace.messages(Level.INFO)).doesNotContain("uptimeSeconds");
        }
        // bodies: for a bounded time only, and audited
        assertThat(post("/admin/trace/status-json?enabled=true&bodies=600", TOKEN)
                        .statusCode())
                .isEqualTo(400);
        HttpResponse<String> bodies = post("/admin/trace/status-json?enabled=true&bodies=1", TOKEN);
        assertThat(bodies.body()).contains("with message bodies until").contains("(audited)");
        try (LogCapture trace = new LogCapture(Logger.ROOT_LOGGER_NAME)) {
            assertThat(get("/status.json", READ_TOKEN).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> trace.messages(Level.INFO).contains("uptimeSeconds"));
            assertThat(trace.messages(Level.INFO)).doesNotContain(READ_TOKEN);
        } finally {
            post("/admin/trace/status-json?enabled=false", TOKEN);
        }
        assertThat(text("SELECT kind || ' ' || actor || ' ' || (detail LIKE '%status-json%') FROM audit_log"
                        + " WHERE kind = 'trace.bodies'"))
                .isEqualTo("trace.bodies admin token true");
    }

    private JsonNode status() throws Exception {
        return JSON.readTree(get("/status.json", READ_TOKEN).body());
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(web + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Types a token in the page's field, as a person would (the change event makes the page read status.json). */
    private static void typeToken(HeadlessChromium chromium, String token) throws Exception {
        chromium.evaluate("(() => { const t = document.getElementById('token'); t.value = '" + token + "';"
                + " t.dispatchEvent(new Event('change')); return 1; })()");
    }

    private HttpResponse<String> post(String path, String token) throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(web + path)).POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private long inboundLetter() {
        try {
            return Long.parseLong(text("SELECT id FROM dead_letter WHERE origin = 'inbound'"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String text(String query) throws Exception {
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private void sql(String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }
}
