package org.senproxy.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.senproxy.runtime.ProxyApplication;
import org.senproxy.testing.EcodevicesStub;
import org.senproxy.testing.OfflineProxy;

/**
 * The kill-switch's admin actions on a running proxy: the token rules (none 401, read 403, admin without a reason
 * 400), a connector disabled through the status page stops polling (its clustered quartz route), the switch shows in
 * status.json and as the metric senproxy_switch_state, and every change is audited with the actor "admin token".
 */
class SwitchAdminTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "admin-token-for-this-test";
    private static final String READ_TOKEN = "read-token-for-this-test";

    private final HttpClient http = HttpClient.newHttpClient();
    private EcodevicesStub box;
    private ProxyApplication proxy;
    private String database;
    private String web;
    private String management;

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
    void adminActionsSwitchAConnectorAndAPeerAuditedShownAndExported() throws Exception {
        box = new EcodevicesStub();
        box.mode(EcodevicesStub.Mode.FRAME);
        Map<String, String> settings = OfflineProxy.settings("proxy-k@localhost");
        database = settings.get("senproxy.db.url");
        web = "http://127.0.0.1:" + settings.get("camel.server.port");
        management = "http://127.0.0.1:" + settings.get("camel.management.port");
        settings.put("senproxy.admin.token", TOKEN);
        settings.put("senproxy.admin.read-token", READ_TOKEN);
        settings.put("senproxy.connectors", "ecodevices-source, postgres-sink");
        settings.put("ecodevices.address", box.address());
        settings.put("ecodevices.base-name", "urn:dev:prm:09111642617347_");
        settings.put("ecodevices.poll-interval-ms", "200");
        settings.put("senproxy.switch.refresh-ms", "300");
        settings.put("senproxy.consent.required", "false");
        proxy = new ProxyApplication(Path.of("."), settings);
        proxy.start();
        sql("INSERT INTO app (name, jid) VALUES ('b', 'proxy-b@localhost')");
        await().atMost(Duration.ofSeconds(20)).until(() -> polls() > 0);

        assertThat(post("/admin/connectors/ecodevices-source/disable", null, "stop")
                        .statusCode())
                .isEqualTo(401);
        assertThat(post("/admin/connectors/ecodevices-source/disable", READ_TOKEN, "stop")
                        .statusCode())
                .isEqualTo(403);
        assertThat(post("/admin/connectors/ecodevices-source/disable", TOKEN, "")
                        .statusCode())
                .isEqualTo(400);
        assertThat(post("/admin/connectors/nope/disable", TOKEN, "stop").statusCode())
                .isEqualTo(404);
        HttpResponse<String> disabled =
                post("/admin/connectors/ecodevices-source/disable", TOKEN, "{\"reason\": \"box firmware update\"}");
        assertThat(disabled.statusCode()).isEqualTo(200);
        assertThat(disabled.body()).contains("ecodevices-source disabled");

        // this replica stops the route within the refresh time; then no poll reaches the box
        int[] last = {-1};
        await().atMost(Duration.ofSeconds(6))
                .pollInterval(Duration.ofMillis(600))
                .until(() -> {
                    int now = box.requests(); // no request in 600 ms: three of its periods
                    boolean same = now == last[0];
                    last[0] = now;
                    return same;
                });
        int requests = box.requests();
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> box.requests() == requests);

        JsonNode connector = switchOf("connector", "ecodevices-source");
        assertThat(connector.path("state").asText()).isEqualTo("disabled");
        assertThat(connector.path("reason").asText()).isEqualTo("box firmware update");
        assertThat(connector.path("by").asText()).isEqualTo("admin token");
        assertThat(switchOf("peer", "b").path("state").asText()).isEqualTo("active");
        await().atMost(Duration.ofSeconds(5))
                .until(() ->
                        metrics().contains("senproxy_switch_state{kind=\"connector\",name=\"ecodevices-source\"} 0.0"));

        assertThat(post("/admin/peers/b/suspend", TOKEN, "contract under review")
                        .statusCode())
                .isEqualTo(200);
        assertThat(post("/admin/peers/nobody/suspend", TOKEN, "x").statusCode()).isEqualTo(404);
        assertThat(switchOf("peer", "b").path("state").asText()).isEqualTo("suspended");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> metrics().contains("senproxy_switch_state{kind=\"peer\",name=\"b\"} 0.0"));

        assertThat(post("/admin/connectors/ecodevices-source/enable", TOKEN, "").statusCode())
                .isEqualTo(200);
        assertThat(post("/admin/peers/b/resume", TOKEN, "").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> box.requests() > requests);
        assertThat(text("SELECT string_agg(kind || ' ' || actor || ' ' || coalesce(detail::jsonb ->> 'reason', '-'),"
                        + " ',' ORDER BY seq) FROM audit_log WHERE kind LIKE 'switch.%'"))
                .isEqualTo("switch.connector.disabled admin token box firmware update,"
                        + "switch.peer.suspended admin token contract under review,"
                        + "switch.connector.enabled admin token -,switch.peer.resumed admin token -");
    }

    private long polls() throws Exception {
        return box.requests();
    }

    private JsonNode switchOf(String kind, String name) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(web + "/status.json"))
                        .header("Authorization", "Bearer " + READ_TOKEN)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        for (JsonNode s : JSON.readTree(response.body()).path("switches")) {
            if (s.path("kind").asText().equals(kind) && s.path("name").asText().equals(name)) {
                return s;
            }
        }
        return JSON.createObjectNode();
    }

    private String metrics() throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create(management + "/observe/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private HttpResponse<String> post(String path, String token, String body) throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(web + path)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private String text(String query) throws Exception {
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(query)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
