package org.senproxy.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.util.Map;

import ch.qos.logback.classic.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.senproxy.testing.LogCapture;
import org.senproxy.testing.OfflineProxy;

/**
 * A proxy with one misconfigured connector starts without it, says why, and runs the others; its management server
 * tells an orchestrator whether it is alive and ready.
 */
class ProxyApplicationTest {

    private final LogCapture logs = new LogCapture(ProxyApplication.class);
    private ProxyApplication proxy;

    @AfterEach
    void stop() {
        logs.close();
        if (proxy != null) {
            proxy.stop();
        }
    }

    @Test
    void aConnectorMissingASettingIsLeftOutAndTheOthersRun() {
        Map<String, String> settings = OfflineProxy.settings("proxy-x@localhost");
        settings.put("senproxy.connectors", "ecodevices-source, postgres-sink, no-such-connector");
        // ecodevices.address is missing; ecodevices.adress is a typo
        settings.put("ecodevices.base-name", "urn:dev:prm:1_");
        settings.put("ecodevices.adress", "192.168.1.20");

        proxy = new ProxyApplication(Path.of("."), settings);
        proxy.start();

        assertThat(proxy.context().getRoute("postgres-sink")).isNotNull();
        assertThat(proxy.context().getRoute("outbox-dispatch")).isNotNull();
        assertThat(proxy.context().getRoute("ecodevices-source")).isNull();
        assertThat(logs.messages(Level.ERROR))
                .contains("Connector ecodevices-source is not started: missing setting(s)"
                        + " ecodevices.address (environment variable(s) ECODEVICES_ADDRESS)")
                .contains("Connector no-such-connector is not started");
        assertThat(logs.warnings()).contains("Setting ecodevices.adress is not read by connector ecodevices-source");
    }

    @Test
    void whileTheXmppServerIsAwayTheProxyIsAliveButNotReady() throws Exception {
        Map<String, String> settings = OfflineProxy.settings("proxy-x@localhost"); // no XMPP server
        String port = settings.get("camel.management.port");

        proxy = new ProxyApplication(Path.of("."), settings);
        proxy.start();

        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> ready = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health/ready"))
                        .build(),
                BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body())
                .contains("\"name\":\"xmpp\",\"status\":\"DOWN\"")
                .doesNotContain("\"name\":\"database\",\"status\":\"DOWN\"");
        HttpResponse<String> live = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health/live"))
                        .build(),
                BodyHandlers.ofString());
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(http.send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/metrics"))
                                        .build(),
                                BodyHandlers.ofString())
                        .body())
                .contains("camel_exchanges_total");
    }

    /** The review's finding: a password in the JDBC URL was logged twice, by the start-up line and Camel's summary. */
    @Test
    void aPasswordInTheDatabaseUrlIsNeverLogged() {
        Map<String, String> settings = OfflineProxy.settings("proxy-x@localhost");
        String url = settings.get("senproxy.db.url");
        settings.put("senproxy.db.url", url + (url.contains("?") ? "&" : "?") + "password=s3cret-in-url");
        try (LogCapture all = new LogCapture(org.slf4j.Logger.ROOT_LOGGER_NAME, Level.INFO)) {
            proxy = new ProxyApplication(Path.of("."), settings);
            proxy.start();
            String logged = all.messages(Level.INFO);
            assertThat(logged).contains("sen-proxy proxy-x@localhost").doesNotContain("s3cret-in-url");
            assertThat(logged).contains("password=***");
        }
    }

    /**
     * Both HTTP servers listen on loopback by default: a client on another address of this host (127.0.0.2, which
     * Linux routes to the loopback interface too) is refused; set to 0.0.0.0, as the Kubernetes manifests do, it is
     * answered. The start-up log says where each listens.
     */
    @Test
    void theHttpServersListenOn127001ByDefaultAndSaySo() throws Exception {
        Map<String, String> settings = OfflineProxy.settings("proxy-x@localhost");
        int management = Integer.parseInt(settings.get("camel.management.port"));
        int status = Integer.parseInt(settings.get("camel.server.port"));
        try (LogCapture beans = new LogCapture(ProxyBeans.class)) {
            proxy = new ProxyApplication(Path.of("."), settings);
            proxy.start();
            assertThat(beans.messages(Level.INFO))
                    .contains("Status page on http://127.0.0.1:" + status
                            + "/status; health and metrics on http://127.0.0.1:" + management + "/observe");
        }
        assertThat(answers("127.0.0.1", management)).isTrue();
        assertThat(answers("127.0.0.1", status)).isTrue();
        assertThat(answers("127.0.0.2", management)).isFalse();
        assertThat(answers("127.0.0.2", status)).isFalse();
        proxy.stop();

        settings.put("camel.management.host", "0.0.0.0");
        settings.put("camel.server.host", "0.0.0.0");
        proxy = new ProxyApplication(Path.of("."), settings);
        proxy.start();
        assertThat(answers("127.0.0.2", management)).isTrue();
        assertThat(answers("127.0.0.2", status)).isTrue();
    }

    private static boolean answers(String host, int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(host, port), 2000);
            return true;
        } catch (java.io.IOException refused) {
            return false;
        }
    }
}
