package org.senproxy.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.senproxy.testing.RouteHarness;

/**
 * connectors/webhook-sink.camel.yaml against a local HTTP endpoint: the SenML pack is POSTed with its
 * idempotency key (and the Authorization header only when configured); a non-2xx answer fails the delivery.
 */
class WebhookSinkTest {

    private static final String SENML = "[{\"n\":\"urn:dev:prm:1_power\",\"u\":\"W\",\"t\":1700000000,\"v\":1268}]";

    private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger status = new AtomicInteger(204);
    private HttpServer endpoint;
    private RouteHarness harness;

    record Received(String method, Headers headers, String body) {}

    private void start(Map<String, String> extra) throws Exception {
        endpoint = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        endpoint.createContext("/api/senml", this::handle);
        endpoint.start();
        Map<String, String> settings = new HashMap<>(extra);
        settings.put(
                "webhook-sink.url", "http://127.0.0.1:" + endpoint.getAddress().getPort() + "/api/senml");
        harness = new RouteHarness(settings, "connectors/webhook-sink.camel.yaml").start();
    }

    private void handle(HttpExchange exchange) throws IOException {
        received.add(new Received(
                exchange.getRequestMethod(),
                exchange.getRequestHeaders(),
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
        exchange.sendResponseHeaders(status.get(), -1);
        exchange.close();
    }

    @AfterEach
    void stop() {
        harness.close();
        endpoint.stop(0);
    }

    private void deliver() {
        deliver(List.of(Map.of("senml", SENML, "idempotencyKey", "proxy-a@localhost/m1")));
    }

    /** What inbox-deliver does: the records in the body, each message's pack and idempotency key in a variable. */
    private void deliver(List<Map<String, String>> messages) {
        Exchange exchange = new DefaultExchange(harness.context);
        exchange.getMessage().setBody(List.of(Map.of("name", "urn:dev:prm:1_power")));
        exchange.getMessage().setHeader("SenproxyInboxId", 42);
        exchange.setVariable("messages", messages);
        Exchange done = harness.template().send("direct:webhook-sink", exchange);
        if (done.getException() != null) {
            throw new IllegalStateException(done.getException());
        }
    }

    @Test
    void postsTheSenmlPackWithItsIdempotencyKey() throws Exception {
        start(Map.of());
        deliver();
        assertThat(received).hasSize(1);
        Received request = received.get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.body()).isEqualTo(SENML);
        assertThat(request.headers().getFirst("Content-Type")).isEqualTo("application/senml+json");
        assertThat(request.headers().getFirst("Idempotency-Key")).isEqualTo("proxy-a@localhost/m1");
        assertThat(request.headers().containsKey("Authorization")).isFalse();
        assertThat(request.headers().containsKey("SenproxyInboxId"))
                .as("no internal header leaks")
                .isFalse();
    }

    @Test
    void postsEachMessageOfABatchInOrderWithItsOwnKey() throws Exception {
        start(Map.of());
        String other = SENML.replace("1_power", "2_power");
        deliver(List.of(
                Map.of("senml", SENML, "idempotencyKey", "proxy-a@localhost/m1"),
                Map.of("senml", other, "idempotencyKey", "proxy-a@localhost/m2")));
        assertThat(received).extracting(Received::body).containsExactly(SENML, other);
        assertThat(received)
                .extracting(r -> r.headers().getFirst("Idempotency-Key"))
                .containsExactly("proxy-a@localhost/m1", "proxy-a@localhost/m2");
    }

    @Test
    void sendsTheConfiguredAuthorization() throws Exception {
        start(Map.of("webhook-sink.authorization", "Bearer s3cret"));
        deliver();
        assertThat(received.get(0).headers().getFirst("Authorization")).isEqualTo("Bearer s3cret");
    }

    @Test
    void anEndpointAnsweringAnErrorFailsTheDelivery() throws Exception {
        start(Map.of());
        status.set(503);
        assertThatThrownBy(this::deliver).hasStackTraceContaining("statusCode: 503");
    }
}
