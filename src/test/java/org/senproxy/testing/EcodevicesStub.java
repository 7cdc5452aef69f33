package org.senproxy.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A local stand-in for a GCE Eco-devices box: serves GET /api/xdevices.json?cmd=10 with the real frame of
 * ../shared/fixtures/ecodevices/teleinfo.json, its counters (T1_BASE, INDEX_C1, INDEX_C2) growing on every
 * request, so each poll is a distinct reading. Every frame served is remembered for the test's checks.
 * It can also be told to answer garbage or an HTTP error, as a broken box would.
 */
public final class EcodevicesStub implements AutoCloseable {

    /** What the stub answers. */
    public enum Mode {
        FRAME,
        GARBAGE,
        SERVER_ERROR
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode fixture;
    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicReference<Mode> mode = new AtomicReference<>(Mode.FRAME);
    private final AtomicInteger failuresToGo = new AtomicInteger();
    private final List<ObjectNode> served = Collections.synchronizedList(new ArrayList<>());

    public EcodevicesStub() throws IOException {
        this.fixture = (ObjectNode) JSON.readTree(Files.readString(fixturePath()));
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/xdevices.json", this::handle);
        server.start();
    }

    /** The fixture folder shared by the team, beside the project. */
    public static Path fixturePath() {
        Path path = Path.of("..", "shared", "fixtures", "ecodevices", "teleinfo.json");
        if (!Files.isRegularFile(path)) {
            path = Path.of("src", "test", "resources", "fixtures", "ecodevices", "teleinfo.json");
        }
        return path;
    }

    /** host:port, the value of ecodevices.address. */
    public String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** How many requests the stub answered, whatever it answered. */
    public int requests() {
        return requests.get();
    }

    /** The next {@code count} requests get an HTTP 500, as from a box that is restarting; then frames again. */
    public void failNext(int count) {
        failuresToGo.set(count);
    }

    public void mode(Mode next) {
        mode.set(next);
    }

    public List<ObjectNode> served() {
        synchronized (served) {
            return List.copyOf(served);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        int n = requests.incrementAndGet();
        byte[] body;
        int status = 200;
        Mode answer = failuresToGo.getAndUpdate(left -> Math.max(0, left - 1)) > 0 ? Mode.SERVER_ERROR : mode.get();
        switch (answer) {
            case GARBAGE -> body = "<html>not json".getBytes(StandardCharsets.UTF_8);
            case SERVER_ERROR -> {
                status = 500;
                body = "internal error".getBytes(StandardCharsets.UTF_8);
            }
            default -> {
                ObjectNode frame = fixture.deepCopy();
                frame.put("T1_BASE", fixture.get("T1_BASE").asLong() + 10L * n);
                frame.put("T1_PAPP", fixture.get("T1_PAPP").asInt() + n % 50);
                frame.put("INDEX_C1", fixture.get("INDEX_C1").asLong() + n);
                frame.put("INDEX_C2", fixture.get("INDEX_C2").asLong() + 2L * n);
                served.add(frame);
                body = JSON.writeValueAsBytes(frame);
            }
        }
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
