package org.senproxy.runtime;

import java.time.Clock;
import java.time.Duration;

import javax.sql.DataSource;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import org.senproxy.connectors.DateWindows;
import org.senproxy.connectors.MqttShare;
import org.senproxy.connectors.OAuth2Tokens;
import org.senproxy.outbox.Watermarks;
import org.senproxy.transform.Transforms;

/**
 * What connector files call: their watermarks ({@code watermarks}), day windows ({@code dateWindows}), OAuth2 tokens
 * ({@code oauth2Tokens}), the {@code mqtt-share:} property function and the transforms' jq functions.
 */
final class ConnectorsConfiguration {

    private ConnectorsConfiguration() {}

    static void bind(CamelContext context, Settings settings, DataSource dataSource) {
        Registry registry = context.getRegistry();
        registry.bind("watermarks", new Watermarks(dataSource));
        registry.bind("dateWindows", new DateWindows(Clock.systemUTC()));
        // {{mqtt-share:<group>/<topic>}} in an MQTT source's endpoint: a shared subscription when a group is set
        context.getPropertiesComponent().addPropertiesFunction(new MqttShare());
        registry.bind(
                "oauth2Tokens",
                new OAuth2Tokens(
                        Duration.ofMillis(settings.integer("camel.component.http.connect-timeout")),
                        Clock.systemUTC()));
        Transforms.bindFunctions(registry);
    }
}
