package org.senproxy.runtime;

import java.time.Duration;
import java.util.Optional;

import org.apache.camel.CamelContext;
import org.senproxy.runtime.SettingsDeclaration.Setting;
import org.senproxy.runtime.SettingsDeclaration.Type;

/**
 * Typed access to the proxy's settings. Values come from Camel's properties: overrides, environment variables in
 * Camel's upper-case form (senproxy.db.url = SENPROXY_DB_URL), application.properties, and last the declared
 * defaults (SettingsDeclaration), which Camel holds as its initial properties. Every key read here is declared there,
 * with its default, or as a secret or an identity that has none: reading an undeclared key is a mistake and throws.
 */
public final class Settings {

    private final CamelContext context;

    public Settings(CamelContext context) {
        this.context = context;
    }

    /**
     * Gives Camel the declared defaults of the proxy's own settings as its lowest-priority properties, so that
     * {@code {{senproxy.x}}} in a route resolves without an inline default; whatever else sets a key still wins.
     */
    public static void installDefaults(CamelContext context) {
        var properties = context.getPropertiesComponent();
        var given = properties instanceof org.apache.camel.component.properties.PropertiesComponent component
                ? component.getInitialProperties()
                : null;
        SettingsDeclaration.placeholderDefaults().forEach((key, value) -> {
            // initial properties given before (Camel Main's, the same defaults) stay as they are
            if (given == null || !given.containsKey(key)) {
                properties.addInitialProperty((String) key, (String) value);
            }
        });
    }

    /** The value of a setting, else its declared default; empty when neither (a blank value counts as unset). */
    public Optional<String> optional(String key) {
        Setting setting = SettingsDeclaration.setting(key);
        return context.getPropertiesComponent()
                .resolveProperty(key)
                .map(String::trim)
                .filter(v -> !v.isEmpty())
                .or(() -> Optional.ofNullable(setting.defaultValue()));
    }

    /** The value of a setting that has a declared default. */
    public String string(String key) {
        return optional(key)
                .orElseThrow(() -> new IllegalArgumentException(
                        "Setting " + key + " has no default: read it with optional() or required()"));
    }

    /** A value without a default (a secret or an identity): missing means the proxy cannot start. */
    public String required(String key) {
        return optional(key)
                .orElseThrow(() -> new IllegalStateException(
                        "Missing setting " + key + " (environment variable " + environmentName(key) + ")"));
    }

    public int integer(String key) {
        String value = string(checked(key, Type.INTEGER));
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Setting " + key + " must be a whole number, not '" + value + "'");
        }
    }

    public boolean bool(String key) {
        return Boolean.parseBoolean(string(checked(key, Type.BOOLEAN)));
    }

    /** A duration in milliseconds (keys end in -ms). */
    public Duration millis(String key) {
        return Duration.ofMillis(integer(key));
    }

    private static String checked(String key, Type type) {
        if (SettingsDeclaration.setting(key).type() != type) {
            throw new IllegalArgumentException("Setting " + key + " is declared "
                    + SettingsDeclaration.setting(key).type() + ", not " + type);
        }
        return key;
    }

    public static String environmentName(String key) {
        return key.toUpperCase().replace('.', '_').replace('-', '_');
    }
}
