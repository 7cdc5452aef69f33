package org.senproxy.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A local stand-in for a Zabbix server's JSON-RPC API (POST /api_jsonrpc.php), fed from the fixtures of
 * ../shared/fixtures/zabbix: item.get answers the fixture's items; history.get answers the fixture's values
 * (plus those a test adds) whose clock is at least time_from, oldest first, at most limit. A request without
 * the expected "Authorization: Bearer" token gets Zabbix's JSON-RPC error, as the real server answers.
 */
public final class ZabbixStub implements AutoCloseable {

    public static final String TOKEN = "zabbix-test-token";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final JsonNode items;
    private final List<JsonNode> history = Collections.synchronizedList(new ArrayList<>());
    private final List<JsonNode> requests = Collections.synchronizedList(new ArrayList<>());

    public ZabbixStub() throws IOException {
        items = JSON.readTree(Files.readString(fixture("item.get.json")));
        JSON.readTree(Files.readString(fixture("history.get.json")))
                .get("result")
                .forEach(history::add);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api_jsonrpc.php", this::handle);
        server.start();
    }

    private static Path fixture(String name) {
        Path shared = Path.of("..", "shared", "fixtures", "zabbix", name);
        return Files.isRegularFile(shared) ? shared : Path.of("src", "test", "resources", "fixtures", "zabbix", name);
    }

    /** The value of zabbix.url. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/api_jsonrpc.php";
    }

    /** A new value of item 23296, as if Zabbix had just collected it. */
    public void addValue(long clock, String value) {
        history.add(JSON.createObjectNode()
                .put("itemid", "23296")
                .put("clock", Long.toString(clock))
                .put("value", value)
                .put("ns", "0"));
    }

    /** The JSON-RPC requests received, in order. */
    public List<JsonNode> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        JsonNode request = JSON.readTree(exchange.getRequestBody());
        requests.add(request);
        ObjectNode answer = JSON.createObjectNode().put("jsonrpc", "2.0");
        answer.set("id", request.get("id"));
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (!("Bearer " + TOKEN).equals(auth)) {
            answer.putObject("error")
                    .put("code", -32602)
                    .put("message", "Invalid params.")
                    .put("data", "Not authorized.");
        } else if ("item.get".equals(request.path("method").asText())) {
            answer.set("result", items.get("result"));
        } else if ("history.get".equals(request.path("method").asText())) {
            long from = request.path("params").path("time_from").asLong(0);
            int limit = request.path("params").path("limit").asInt(Integer.MAX_VALUE);
            ArrayNode result = answer.putArray("result");
            synchronized (history) {
                history.stream()
                        .filter(v -> v.get("clock").asLong() >= from)
                        .sorted((a, b) -> Long.compare(
                                a.get("clock").asLong(), b.get("clock").asLong()))
                        .limit(limit)
                        .forEach(result::add);
            }
        } else {
            answer.putObject("error").put("code", -32601).put("message", "Method not found.");
        }
        byte[] body = JSON.writeValueAsBytes(answer);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
