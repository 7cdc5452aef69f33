package org.senproxy.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
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
        Map<String, String> form = parameters(new String(exchange.getRequestBody().readAllBytes(),
                StandardCharsets.UTF_8));
        boolean ok = "client_credentials".equals(form.get("grant_type")) && CLIENT_ID.equals(form.get("client_id"))
                && CLIENT_SECRET.equals(form.get("client_secret")) && "/adict/v1".equals(form.get("scope"));
        answer(exchange, ok ? 200 : 401, ok
                ? JSON.createObjectNode().put("access_token", "adict-" + tokens.incrementAndGet()).put("expires_in", 14400)
                        .put("token_type", "Bearer").toString()
                : JSON.createObjectNode().put("error", "invalid_client").toString(), "application/json");
    }

    private void data(HttpExchange exchange) throws IOException {
        Map<String, String> query = parameters(exchange.getRequestURI().getRawQuery());
        query.put("path", exchange.getRequestURI().getPath());
        dataRequests.add(query);
        if (!String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")).startsWith("Bearer adict-")) {
            answer(exchange, 401, "{\"code\":401,\"message\":\"Unauthorized\"}", "application/json");
            return;
        }
        if (!exchange.getRequestURI().getPath().equals("/adict/v1/pce/" + PCE + "/donnees_consos_informatives")) {
            answer(exchange, 403, "{\"code_statut_traitement\":\"1000000403\","
                    + "\"message_retour_traitement\":\"Pas de droit d'accès pour ce PCE\"}", "application/json");
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
        answer(exchange, 200, body.toString(), "application/nd-json");
    }

    private static Map<String, String> parameters(String encoded) {
        Map<String, String> parameters = new HashMap<>();
        if (encoded != null) {
            for (String pair : encoded.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    parameters.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return parameters;
    }

    private static void answer(HttpExchange exchange, int status, String body, String type) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
