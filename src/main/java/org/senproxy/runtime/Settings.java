package org.senproxy.runtime;

import java.time.Duration;
import java.util.Optional;

import org.apache.camel.CamelContext;

/**
 * Typed access to the proxy's settings. Values come from Camel's properties: application.properties,
 * then environment variables in Camel's upper-case form (senproxy.db.url = SENPROXY_DB_URL), which win.
 * Every key has a documented default in docs/configuration.md, except secrets, which have none.
 */
public final class Settings {

    private final CamelContext context;

    public Settings(CamelContext context) {
        this.context = context;
    }

    public Optional<String> optional(String key) {
        return context.getPropertiesComponent().resolveProperty(key).map(String::trim).filter(v -> !v.isEmpty());
    }

    public String string(String key, String defaultValue) {
        return optional(key).orElse(defaultValue);
    }

    /** A value without a default (a secret or an identity): missing means the proxy cannot start. */
    public String required(String key) {
        return optional(key).orElseThrow(() -> new IllegalStateException(
                "Missing setting " + key + " (environment variable " + environmentName(key) + ")"));
    }

    public int integer(String key, int defaultValue) {
        String value = string(key, Integer.toString(defaultValue));
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Setting " + key + " must be a whole number, not '" + value + "'");
        }
    }

    public boolean bool(String key, boolean defaultValue) {
        return Boolean.parseBoolean(string(key, Boolean.toString(defaultValue)));
    }

    /** A duration in milliseconds (keys end in -ms). */
    public Duration millis(String key, long defaultValue) {
        return Duration.ofMillis(integer(key, (int) defaultValue));
    }

    public static String environmentName(String key) {
        return key.toUpperCase().replace('.', '_').replace('-', '_');
    }
}
