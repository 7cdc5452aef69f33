package org.senproxy.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.senproxy.runtime.ProxyApplication;
import org.senproxy.testing.EcodevicesStub;
import org.senproxy.testing.OfflineProxy;

/**
 * With senproxy.tracing.otlp-endpoint set, the proxy sends its routes' spans to an OpenTelemetry collector over
 * OTLP/HTTP. The collector here is a stand-in that keeps what it receives (protobuf, read as bytes).
 */
class OtlpTracingTest {

    private record Export(String path, String contentType, byte[] body) {}

    private final List<Export> exports = new CopyOnWriteArrayList<>();
    private HttpServer collector;
    private EcodevicesStub box;
    private ProxyApplication proxy;

    @BeforeEach
    void start() throws Exception {
        collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/", exchange -> {
            exports.add(new Export(
                    exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("Content-Type"),
                    exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        box = new EcodevicesStub();
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.stop();
        }
        collector.stop(0);
        box.close();
    }

    private void startProxy(boolean tracing) {
        Map<String, String> settings = OfflineProxy.settings("proxy-t@localhost");
        settings.put("senproxy.replica", "replica-7");
        settings.put("senproxy.connectors", "ecodevices-source");
        settings.put("ecodevices.address", box.address());
        settings.put("ecodevices.base-name", "urn:dev:prm:09111642617347_");
        settings.put("ecodevices.poll-interval-ms", "200");
        if (tracing) {
            settings.put(
                    "senproxy.tracing.otlp-endpoint",
                    "http://127.0.0.1:" + collector.getAddress().getPort());
        }
        proxy = new ProxyApplication(Path.of("."), settings);
        proxy.start();
    }

    @Test
    void spansOfThePollsReachTheCollector() {
        startProxy(true);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(exports)
                        .as("exports to the collector")
                        .anyMatch(e -> text(e).contains("quartz://ecodevices/poll")));

        Export export = exports.get(0);
        assertThat(export.path()).isEqualTo("/v1/traces");
        assertThat(export.contentType()).isEqualTo("application/x-protobuf");
        // a poll's spans: the quartz trigger, the HTTP call to the box (with its status), the outbox append
        assertThat(exports.stream().map(OtlpTracingTest::text))
                .anyMatch(body -> body.contains("sen-proxy")
                        && body.contains("replica-7")
                        && body.contains("/api/xdevices.json")
                        && body.contains("direct://outbox-append"));
    }

    @Test
    void offWithoutAnEndpoint() {
        startProxy(false);
        await().atMost(Duration.ofSeconds(10)).until(() -> box.served().size() >= 5);
        assertThat(proxy.context().getRegistry().findByType(io.opentelemetry.api.trace.Tracer.class))
                .isEmpty();
        assertThat(exports).isEmpty();
    }

    /** Protobuf keeps strings as UTF-8 bytes: endpoint URIs and resource attributes can be found in it. */
    private static String text(Export export) {
        return new String(export.body(), StandardCharsets.ISO_8859_1);
    }
}
