package org.senproxy.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A local stand-in for GRDF ADICT v1: the OAuth 2.0 token endpoint (client credentials with scope /adict/v1) and
 * GET /adict/v1/pce/{pce}/donnees_consos_informatives?date_debut&date_fin, answering, as NDJSON, the fixture's gas
 * days in [date_debut, date_fin) followed by the processing status line.
 */
public final class AdictStub implements AutoCloseable {

    public static final String CLIENT_ID = "adict-test";
    public static final String CLIENT_SECRET = "adict-test-secret";
    public static final String PCE = "23000000000000";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final List<JsonNode> lines = new ArrayList<>();
    private final AtomicInteger tokens = new AtomicInteger();
    private final List<Map<String, String>> dataRequests = Collections.synchronizedList(new ArrayList<>());

    public AdictStub() throws IOException {
        for (String line : Files.readAllLines(
                Path.of("src", "test", "resources", "fixtures", "adict", "donnees_consos_informatives.ndjson"))) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line));
            }
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/access_token", this::token);
        server.createContext("/adict/v1/pce/", this::data);
        server.start();
    }

    public String tokenUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/access_token";
    }

    public String apiUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/adict/v1";
    }

    public int tokensIssued() {
        return tokens.get();
    }

    public List<Map<String, String>> dataRequests() {
        synchronized (dataRequests) {
            return List.copyOf(dataRequests);
        }
    }

    private void token(HttpExchange exchange) throws IOException {
        Map<String, String> form = StubHttp.form(exchange);
        boolean ok = "client_credentials".equals(form.get("grant_type"))
                && CLIENT_ID.equals(form.get("client_id"))
                && CLIENT_SECRET.equals(form.get("client_secret"))
                && "/adict/v1".equals(form.get("scope"));
        StubHttp.answer(
                exchange,
                ok ? 200 : 401,
                "application/json",
                ok
                        ? JSON.createObjectNode()
                                .put("access_token", "adict-" + tokens.incrementAndGet())
                                .put("expires_in", 14400)
                                .put("token_type", "Bearer")
                                .toString()
                        : JSON.createObjectNode().put("error", "invalid_client").toString());
    }

    private void data(HttpExchange exchange) throws IOException {
        Map<String, String> query = StubHttp.parameters(exchange.getRequestURI().getRawQuery());
        query.put("path", exchange.getRequestURI().getPath());
        dataRequests.add(query);
        if (!String.valueOf(exchange.getRequestHeaders().getFirst("Authorization"))
                .startsWith("Bearer adict-")) {
            StubHttp.answer(exchange, 401, "application/json", "{\"code\":401,\"message\":\"Unauthorized\"}");
            return;
        }
        if (!exchange.getRequestURI().getPath().equals("/adict/v1/pce/" + PCE + "/donnees_consos_informatives")) {
            StubHttp.answer(
                    exchange,
                    403,
                    "application/json",
                    "{\"code_statut_traitement\":\"1000000403\","
                            + "\"message_retour_traitement\":\"Pas de droit d'accès pour ce PCE\"}");
            return;
        }
        String from = query.get("date_debut");
        String to = query.get("date_fin");
        StringBuilder body = new StringBuilder();
        for (JsonNode line : lines) {
            String day = line.path("consommation").path("journee_gaziere").asText(null);
            if (day == null || (day.compareTo(from) >= 0 && day.compareTo(to) < 0)) {
                body.append(JSON.writeValueAsString(line)).append('\n');
            }
        }
        StubHttp.answer(exchange, 200, "application/nd-json", body.toString());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
