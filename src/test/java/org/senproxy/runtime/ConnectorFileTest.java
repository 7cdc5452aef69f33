package org.senproxy.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** What a connector file needs from the configuration, read from its placeholders. */
class ConnectorFileTest {

    private static final String YAML = """
            # ecodevices.address   (none)  host[:port] -- comments are not read: {{commented.key}}
            - route:
                id: demo-source
                from:
                  uri: quartz:demo/poll
                  parameters:
                    trigger.repeatInterval: "{{demo.poll-interval-ms:60000}}"
                  steps:
                    - to:
                        uri: "http://{{demo.address}}/api?token={{demo.token}}"
                    - setHeader:
                        name: Authorization
                        expression:
                          simple:
                            expression: "Bearer ${properties:demo.secret} ${properties:demo.realm:none}"
                    - setHeader:
                        name: Base
                        expression:
                          constant:
                            expression: "{{demo.base-name}} {{senproxy.home}}/x {{env:HOME}}"
            """;

    private final ConnectorFile file = new ConnectorFile("demo-source", YAML);

    @Test
    void keysWithoutDefaultAreRequiredAndMissingWhenUnset() {
        Set<String> set = Set.of("demo.address", "senproxy.home");
        assertThat(file.missing(set::contains)).containsExactly("demo.base-name", "demo.secret", "demo.token");
    }

    @Test
    void keysWithADefaultAndCommentsAreNotRequired() {
        assertThat(file.missing(k -> false))
                .doesNotContain("demo.poll-interval-ms", "commented.key", "env:HOME", "demo.realm");
        assertThat(file.keys()).contains("demo.poll-interval-ms").doesNotContain("commented.key");
    }

    @Test
    void aKeyUnderTheConnectorsPrefixThatItDoesNotReadIsUnknown() {
        assertThat(file.prefixes()).containsExactly("demo");
        assertThat(file.unknown(List.of("demo.adress", "demo.address", "senproxy.db.url", "other.key")))
                .containsExactly("demo.adress");
    }

    @Test
    void optionalPlaceholdersAreNotRequired() throws Exception {
        // {{?key}}: Camel leaves the endpoint option out when the key is not set (the MQTT connectors' user name)
        ConnectorFile teleinfo = ConnectorFile.read(Path.of("connectors", "teleinfo-mqtt-source.camel.yaml"));
        assertThat(teleinfo.missing(k -> false))
                .containsExactly("senproxy.home", "teleinfo-mqtt.base-name", "teleinfo-mqtt.topic");
        assertThat(teleinfo.keys())
                .contains("teleinfo-mqtt.username", "teleinfo-mqtt.password", "teleinfo-mqtt.share-group")
                .noneMatch(k -> k.startsWith("?"));
        ConnectorFile mqttSink = ConnectorFile.read(Path.of("connectors", "mqtt-sink.camel.yaml"));
        assertThat(mqttSink.missing(k -> false)).containsExactly("mqtt-sink.topic");
    }

    @Test
    void theShippedConnectorsDeclareWhatTheyNeed() throws Exception {
        ConnectorFile ecodevices = ConnectorFile.read(Path.of("connectors", "ecodevices-source.camel.yaml"));
        assertThat(ecodevices.name()).isEqualTo("ecodevices-source");
        assertThat(ecodevices.missing(k -> k.equals("senproxy.home")))
                .containsExactly("ecodevices.address", "ecodevices.base-name");
    }

    @Test
    void theSettingsOfARequestTemplateItReadsAreItsOwn() throws Exception {
        // sge.login is only in transforms/sge-request.xml, read with resource:file:{{senproxy.home}}/...
        ConnectorFile sge = ConnectorFile.read(Path.of("connectors", "sge-source.camel.yaml"));
        assertThat(sge.missing(k -> k.equals("senproxy.home")))
                .containsExactlyInAnyOrder("sge.login", "sge.point-id", "sge.url");
    }

    @Test
    void everyShippedConnectorUsesItsBuildingBlocksAsTheyAreDeclared() throws Exception {
        try (var files = java.nio.file.Files.newDirectoryStream(Path.of("connectors"), "*.camel.yaml")) {
            for (Path connector : files) {
                assertThat(ConnectorFile.read(connector).blockProblems(Path.of(Blocks.FOLDER)))
                        .as(connector.toString())
                        .isEmpty();
            }
        }
    }

    @Test
    void aBlockPropertyMissingOrMistypedIsNamed() throws Exception {
        ConnectorFile wrong = new ConnectorFile("wrong-source", """
                - templatedRoute:
                    routeTemplateRef: polled-source
                    routeId: wrong-source
                    parameters:
                      - name: job
                        value: wrong
                      - name: interval
                        value: "{{wrong.poll-interval-ms:60000}}"
                - route:
                    id: wrong-source-poll
                    from:
                      uri: direct:wrong-source-poll
                      steps:
                        - to:
                            uri: kamelet:day-window-action
                            parameters:
                              maxDay: 7
                        - to:
                            uri: kamelet:no-such-action
                """);
        assertThat(wrong.blockProblems(Path.of(Blocks.FOLDER)))
                .containsExactly(
                        "block polled-source needs transform",
                        "block day-window-action takes no maxDay (it takes [start, maxDays, zone])",
                        "no building block no-such-action in kamelets");
    }
}
