package org.senproxy.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Properties;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

class MqttShareTest {

    private static final String URI = "paho:{{mqtt-share:{{x.share-group:}}/{{x.topic}}}}";

    @Test
    void withAGroupTheRouteSubscribesToTheSharedSubscription() throws Exception {
        assertThat(resolve("sen-proxy", "teleinfo/021728123456"))
                .isEqualTo("paho:$share/sen-proxy/teleinfo/021728123456");
    }

    @Test
    void withoutAGroupItSubscribesToTheTopicAsBefore() throws Exception {
        assertThat(resolve(null, "teleinfo/021728123456")).isEqualTo("paho:teleinfo/021728123456");
        assertThat(resolve(" ", "teleinfo/021728123456")).isEqualTo("paho:teleinfo/021728123456");
        // a topic may itself start with a slash, or hold a colon
        assertThat(resolve(null, "/teleinfo/a:b")).isEqualTo("paho:/teleinfo/a:b");
    }

    @Test
    void aGroupWithAWildcardIsRefused() {
        assertThatThrownBy(() -> resolve("sen+proxy", "teleinfo/x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not contain +, # or /");
    }

    private static String resolve(String group, String topic) throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().addPropertiesFunction(new MqttShare());
            Properties properties = new Properties();
            properties.put("x.topic", topic);
            if (group != null) {
                properties.put("x.share-group", group);
            }
            context.getPropertiesComponent().setOverrideProperties(properties);
            return context.resolvePropertyPlaceholders(URI);
        }
    }
}
