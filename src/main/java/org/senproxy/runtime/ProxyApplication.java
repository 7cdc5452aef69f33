package org.senproxy.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

/**
 * One proxy: Camel Main running the route files found on disk under the proxy's home folder.
 *
 * <ul>
 * <li>{@code routes/*.camel.yaml}: the proxy's own routes, always loaded;</li>
 * <li>{@code connectors/<name>.camel.yaml}: the connectors named in {@code senproxy.connectors};</li>
 * <li>{@code transforms/}: the mappings connectors refer to as {@code {{senproxy.home}}/transforms/...}.</li>
 * </ul>
 * Settings come from {@code application.properties} in the home folder, then environment variables
 * (SENPROXY_DB_URL for senproxy.db.url), then the overrides given here (tests and the demo).
 */
public final class ProxyApplication {

    private final Main main;
    private final Path home;

    public ProxyApplication(Path home, Map<String, String> overrides) {
        this.home = home.toAbsolutePath().normalize();
        Map<String, String> properties = new LinkedHashMap<>(overrides);
        properties.put("senproxy.home", this.home.toString());
        main = new Main();
        main.setDefaultPropertyPlaceholderLocation(
                "file:" + this.home.resolve("application.properties") + ";optional=true");
        properties.forEach(main::addOverrideProperty);
        main.configure().withRoutesIncludePattern(routeFiles(connectors(properties)));
        main.configure().addConfiguration(new ProxyBeans());
    }

    /** A proxy configured by its home folder's application.properties and the environment alone. */
    public static ProxyApplication fromEnvironment() {
        String home = System.getenv().getOrDefault("SENPROXY_HOME", System.getProperty("senproxy.home", "."));
        return new ProxyApplication(Path.of(home), Map.of());
    }

    private String routeFiles(List<String> connectors) {
        List<String> patterns = new ArrayList<>();
        patterns.add("file:" + home.resolve("routes") + "/*.camel.yaml");
        for (String connector : connectors) {
            Path file = home.resolve("connectors").resolve(connector + ".camel.yaml");
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException("senproxy.connectors names " + connector + " but there is no " + file);
            }
            patterns.add("file:" + file);
        }
        return String.join(",", patterns);
    }

    /**
     * The connector list is needed before Camel starts (it decides which files to load), so it is looked
     * up here in the same order Camel uses: overrides, environment, application.properties.
     */
    private List<String> connectors(Map<String, String> overrides) {
        String value = overrides.get("senproxy.connectors");
        if (value == null) {
            value = System.getenv("SENPROXY_CONNECTORS");
        }
        if (value == null) {
            value = fileProperty("senproxy.connectors");
        }
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private String fileProperty(String key) {
        Path file = home.resolve("application.properties");
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read " + file, e);
        }
        return properties.getProperty(key);
    }

    /** Starts the proxy and returns once its routes run. */
    public void start() {
        main.start();
    }

    public void stop() {
        main.stop();
    }

    /** Runs until the JVM is asked to stop (Ctrl-C, SIGTERM). */
    public void run() throws Exception {
        main.run();
    }

    public CamelContext context() {
        return main.getCamelContext();
    }
}
