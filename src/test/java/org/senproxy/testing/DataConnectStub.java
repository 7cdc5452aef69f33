package org.senproxy.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A local stand-in for Enedis DataConnect: the OAuth 2.0 token endpoint (POST /oauth2/v3/token, client credentials)
 * and Metering Data v4 (GET /metering_data/v4/consumption_load_curve?start&end&usage_point_id), which answers the
 * fixture's readings whose date falls in [start, end], and Enedis-style errors for a bad token, another usage point
 * or a window longer than 7 days.
 */
public final class DataConnectStub implements AutoCloseable {

    public static final String CLIENT_ID = "sen-proxy-test";
    public static final String CLIENT_SECRET = "dataconnect-test-secret";
    public static final String PRM = "09111642617347";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final JsonNode loadCurve;
    private final AtomicInteger tokens = new AtomicInteger();
    private final List<Map<String, String>> dataRequests = Collections.synchronizedList(new ArrayList<>());

    public DataConnectStub() throws IOException {
        Path shared = Path.of("..", "shared", "fixtures", "dataconnect", "consumption_load_curve.json");
        Path file = Files.isRegularFile(shared)
                ? shared
                : Path.of("src", "test", "resources", "fixtures", "dataconnect", "consumption_load_curve.json");
        loadCurve = JSON.readTree(Files.readString(file));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/oauth2/v3/token", this::token);
        server.createContext("/metering_data/v4/consumption_load_curve", this::data);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** How many tokens were handed out. */
    public int tokensIssued() {
        return tokens.get();
    }

    /** The query parameters of each data request, in order. */
    public List<Map<String, String>> dataRequests() {
        synchronized (dataRequests) {
            return List.copyOf(dataRequests);
        }
    }

    private void token(HttpExchange exchange) throws IOException {
        Map<String, String> form = StubHttp.form(exchange);
        if (!"client_credentials".equals(form.get("grant_type"))
                || !CLIENT_ID.equals(form.get("client_id"))
                || !CLIENT_SECRET.equals(form.get("client_secret"))) {
            answer(
                    exchange,
                    401,
                    JSON.createObjectNode()
                            .put("error", "invalid_client")
                            .put("error_description", "Client authentication failed"));
            return;
        }
        answer(
                exchange,
                200,
                JSON.createObjectNode()
                        .put("access_token", "token-" + tokens.incrementAndGet())
                        .put("token_type", "Bearer")
                        .put("expires_in", 12600));
    }

    private void data(HttpExchange exchange) throws IOException {
        Map<String, String> query = StubHttp.parameters(exchange.getRequestURI().getRawQuery());
        dataRequests.add(query);
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.matches("Bearer token-[0-9]+")) {
            answer(
                    exchange,
                    403,
                    JSON.createObjectNode()
                            .put("error", "ADAM-ERR0069")
                            .put("error_description", "Invalid or expired access token"));
            return;
        }
        if (!PRM.equals(query.get("usage_point_id"))) {
            answer(
                    exchange,
                    403,
                    JSON.createObjectNode()
                            .put("error", "ADAM-ERR0069")
                            .put("error_description", "No consent for this usage point"));
            return;
        }
        LocalDate start = LocalDate.parse(query.get("start"));
        LocalDate end = LocalDate.parse(query.get("end"));
        if (ChronoUnit.DAYS.between(start, end) > 7 || !start.isBefore(end)) {
            answer(
                    exchange,
                    400,
                    JSON.createObjectNode()
                            .put("error", "ADAM-ERR0123")
                            .put("error_description", "The requested period cannot be anterior/longer than 7 days"));
            return;
        }
        ObjectNode answer = loadCurve.deepCopy();
        ObjectNode meter = (ObjectNode) answer.get("meter_reading");
        meter.put("start", start.toString()).put("end", end.toString());
        ArrayNode readings = meter.putArray("interval_reading");
        for (JsonNode reading : loadCurve.get("meter_reading").get("interval_reading")) {
            LocalDate day = LocalDate.parse(reading.get("date").asText().substring(0, 10));
            if (!day.isBefore(start) && !day.isAfter(end)) {
                readings.add(reading);
            }
        }
        answer(exchange, 200, answer);
    }

    private static void answer(HttpExchange exchange, int status, JsonNode body) throws IOException {
        StubHttp.answer(exchange, status, "application/json", JSON.writeValueAsBytes(body));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
