package org.senproxy.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The proxy's settings read without Camel: before Camel starts (which connector files to load depends on them) and
 * in the operator commands that need the proxy's database. The order is Camel's: overrides, environment variable
 * (SENPROXY_DB_URL for senproxy.db.url), JVM system property, the home folder's application.properties, and last the
 * declared default (SettingsDeclaration).
 */
public final class StartupSettings {

    private final Map<String, String> overrides;
    private final Properties fileProperties;

    public StartupSettings(Path home, Map<String, String> overrides) {
        this.overrides = Map.copyOf(overrides);
        this.fileProperties = read(home.resolve("application.properties"));
    }

    /**
     * The value of a declared setting, else its declared default, else {@code null} (a setting without default that
     * is not set anywhere). An undeclared key throws.
     */
    public String get(String key) {
        String value = configured(key);
        return value != null ? value : SettingsDeclaration.setting(key).defaultValue();
    }

    /** Whether a key, the proxy's or a connector's, is set to something other than blanks (defaults do not count). */
    public boolean isSet(String key) {
        String value = configured(key);
        return value != null && !value.isBlank();
    }

    private String configured(String key) {
        String value = overrides.get(key);
        if (value == null) {
            value = System.getenv(Settings.environmentName(key));
        }
        if (value == null) {
            value = System.getProperty(key);
        }
        if (value == null) {
            value = fileProperties.getProperty(key);
        }
        return value;
    }

    /** Keys given by name (overrides and application.properties); environment variables cannot be told apart. */
    public Set<String> configuredKeys() {
        Set<String> keys = new TreeSet<>(overrides.keySet());
        keys.addAll(fileProperties.stringPropertyNames());
        return keys;
    }

    private static Properties read(Path file) {
        Properties properties = new Properties();
        if (Files.isRegularFile(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                properties.load(in);
            } catch (IOException e) {
                throw new IllegalStateException("Cannot read " + file, e);
            }
        }
        return properties;
    }
}
