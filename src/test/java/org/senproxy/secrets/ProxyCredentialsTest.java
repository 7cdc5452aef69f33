package org.senproxy.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.senproxy.runtime.ProxyApplication;
import org.senproxy.testing.LogCapture;
import org.senproxy.testing.OfflineProxy;
import org.slf4j.Logger;

/**
 * A running proxy takes its credentials keys from its settings, names them by id only, and refuses a bad one. Its logs
 * are read down to DEBUG (Camel's own included): Camel masks the keys' setting in its start-up summary, and its
 * property parser, which would log every resolved value, is held at INFO.
 */
class ProxyCredentialsTest {

    private ProxyApplication proxy;

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.stop();
        }
    }

    @Test
    void theProxyReadsCredentialsWithTheKeysOfItsSettingsAndLogsKeyIdsOnly() throws Exception {
        String k2 = UserCredentialsTest.randomKey();
        String k1 = UserCredentialsTest.randomKey();
        Map<String, String> settings = OfflineProxy.settings("proxy-c@localhost");
        settings.put("senproxy.credentials.keys", "k2:" + k2 + ",k1:" + k1);
        try (LogCapture logs = new LogCapture(Logger.ROOT_LOGGER_NAME, Level.DEBUG)) {
            proxy = new ProxyApplication(Path.of("."), settings);
            proxy.start();
            UserCredentials credentials =
                    proxy.context().getRegistry().lookupByNameAndType("userCredentials", UserCredentials.class);
            credentials.store(List.of(new UserCredentials.Account("alice", "sge", "alice", Secret.of("pw-of-alice"))));
            assertThat(credentials.find("alice", "sge").orElseThrow().secret().reveal())
                    .isEqualTo("pw-of-alice");

            String all = logs.messages(Level.DEBUG)
                    + logs.messages(Level.INFO)
                    + logs.warnings()
                    + logs.messages(Level.ERROR);
            assertThat(all)
                    .contains("Local-application credentials are encrypted with key k2 (readable: k2, k1)")
                    .doesNotContain(k1)
                    .doesNotContain(k2)
                    .doesNotContain("pw-of-alice");
        }
    }

    @Test
    void aMalformedKeyStopsTheStartNamingItsIdOnly() {
        Map<String, String> settings = OfflineProxy.settings("proxy-c@localhost");
        settings.put("senproxy.credentials.keys", "k1:c2hvcnQ=");
        proxy = new ProxyApplication(Path.of("."), settings);
        assertThatThrownBy(proxy::start)
                .hasStackTraceContaining("senproxy.credentials.keys: key k1 has 5 bytes")
                .satisfies(e -> assertThat(stackText(e)).doesNotContain("c2hvcnQ="));
    }

    private static String stackText(Throwable e) {
        java.io.StringWriter text = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(text));
        return text.toString();
    }
}
