package org.senproxy.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

/**
 * A local system that receives SenML packs over HTTP, as the webhook-sink connector POSTs them, and stores each
 * delivery once per Idempotency-Key, as such an endpoint should. It can be down for a while (it then answers 503).
 */
public final class WebhookSinkStub implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, String> stored = new LinkedHashMap<>();
    private final AtomicInteger posts = new AtomicInteger();
    private volatile boolean down;

    public WebhookSinkStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/senml", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (down) {
                StubHttp.answer(exchange, 503, "text/plain", "down for maintenance");
                return;
            }
            posts.incrementAndGet();
            String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            synchronized (stored) {
                stored.putIfAbsent(key, new String(body, StandardCharsets.UTF_8));
            }
            StubHttp.answer(exchange, 200, "text/plain", "stored");
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/senml";
    }

    public void down(boolean value) {
        down = value;
    }

    /** Every POST answered 200, including deliveries of a key stored before. */
    public int posts() {
        return posts.get();
    }

    /** The SenML packs stored, one per idempotency key. */
    public List<String> packs() {
        synchronized (stored) {
            return new ArrayList<>(stored.values());
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
