package org.senproxy.connectors;

import org.apache.camel.spi.PropertiesFunction;

/**
 * The placeholder function {@code {{mqtt-share:<group>/<topic>}}}: the topic filter an MQTT source subscribes to.
 * With a group, the shared subscription {@code $share/<group>/<topic>}, whose frames the broker gives to one member
 * of the group each; with an empty group, the plain {@code <topic>}. A route writes
 * {@code paho:{{mqtt-share:{{x.share-group:}}/{{x.topic}}}}}, since a Camel placeholder has no condition of its own.
 * The group is a setting of its own, rather than a {@code $share/...} topic, so that no one has to write a {@code $}
 * in an environment file: shells and Docker Compose expand it.
 */
public final class MqttShare implements PropertiesFunction {

    public static final String NAME = "mqtt-share";

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public String apply(String remainder) {
        int slash = remainder.indexOf('/');
        if (slash < 0 || slash == remainder.length() - 1) {
            throw new IllegalArgumentException("{{" + NAME + ":<group>/<topic>}} expected, got '" + remainder + "'");
        }
        String group = remainder.substring(0, slash).trim();
        String topic = remainder.substring(slash + 1);
        if (group.isEmpty()) {
            return topic;
        }
        // A group holding a wildcard is refused by the broker when the route subscribes, with a less helpful error.
        // A group holding a / cannot be told from the topic here; it would subscribe to a shorter group and topic.
        if (group.contains("+") || group.contains("#")) {
            throw new IllegalArgumentException("MQTT share group '" + group + "' must not contain +, # or /");
        }
        return "$share/" + group + "/" + topic;
    }
}
