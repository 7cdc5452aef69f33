package org.senproxy.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.senproxy.observe.OtlpTracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * One proxy: Camel Main running the route files found on disk under the proxy's home folder.
 *
 * <ul>
 * <li>{@code routes/*.camel.yaml}: the proxy's own routes, always loaded;</li>
 * <li>{@code kamelets/}: the connectors' building blocks, route templates ({@code *.camel.yaml}) and Kamelets
 * ({@code *.kamelet.yaml});</li>
 * <li>{@code connectors/<name>.camel.yaml}: the connectors named in {@code senproxy.connectors};</li>
 * <li>{@code transforms/}: the mappings connectors refer to as {@code {{senproxy.home}}/transforms/...}.</li>
 * </ul>
 * Settings come from {@code application.properties} in the home folder, then environment variables
 * (SENPROXY_DB_URL for senproxy.db.url), then the overrides given here (tests and the demo).
 */
public final class ProxyApplication {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyApplication.class);

    private final Main main;
    private final Path home;

    private final StartupSettings startupSettings;
    private final LogFiles logFiles;
    private OtlpTracing tracing;

    /**
     * Camel settings the proxy runs with unless told otherwise (declared in SettingsDeclaration, section "Camel
     * settings the proxy sets", where each says why): Camel Main's management HTTP server with Prometheus metrics at
     * /observe/metrics and health at /observe/health (/live, /ready), its HTTP server for the status page (/status),
     * both on loopback, MDC logging, a tracer on standby, and the proxy's secret words. Each key may be set like any
     * other (camel.management.port=9877, or CAMEL_MANAGEMENT_PORT; camel.management.enabled=false turns the server
     * off).
     */
    static final Map<String, String> CAMEL_DEFAULTS = SettingsDeclaration.camelDefaults();

    static {
        // Smack logs through java.util.logging: one log format for everything
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }

    public ProxyApplication(Path home, Map<String, String> overrides) {
        this.home = home.toAbsolutePath().normalize();
        Map<String, String> properties = new LinkedHashMap<>(overrides);
        properties.put("senproxy.home", this.home.toString());
        this.startupSettings = new StartupSettings(this.home, properties);
        this.logFiles = LogFiles.configure(startupSettings);
        main = new Main();
        main.setDefaultPropertyPlaceholderLocation(
                "file:" + this.home.resolve("application.properties") + ";optional=true");
        // the declared defaults of the proxy's own settings, below everything else that sets them
        main.setInitialProperties(SettingsDeclaration.placeholderDefaults());
        properties.forEach(main::addOverrideProperty);
        // Camel Main reads these before it looks at the environment: resolve each here, so that
        // CAMEL_MANAGEMENT_PORT works like every other variable
        CAMEL_DEFAULTS.keySet().forEach(key -> main.addOverrideProperty(key, setting(key)));
        if (startupSettings.isSet("senproxy.tracing.otlp-endpoint")) {
            String endpoint = startupSettings.get("senproxy.tracing.otlp-endpoint");
            String replica = startupSettings.get("senproxy.replica");
            tracing = new OtlpTracing(
                    endpoint,
                    startupSettings.get("senproxy.tracing.service-name"),
                    replica != null ? replica : hostName());
            main.bind("otelTracer", tracing.tracer());
            main.bind("otelPropagators", tracing.propagators());
            main.addOverrideProperty("camel.opentelemetry2.enabled", "true");
            LOG.info("OpenTelemetry spans of every route are exported to {}", endpoint);
        }
        main.configure().withRoutesIncludePattern(routeFiles(connectors()));
        main.configure().addConfiguration(new ProxyBeans());
    }

    /** A proxy configured by its home folder's application.properties and the environment alone. */
    public static ProxyApplication fromEnvironment() {
        String home = System.getenv().getOrDefault("SENPROXY_HOME", System.getProperty("senproxy.home", "."));
        return new ProxyApplication(Path.of(home), Map.of());
    }

    /**
     * The proxy's own routes, always, and the connectors named in senproxy.connectors whose configuration is
     * complete. A connector that lacks a setting its routes need (a {{key}} without default) is left out with
     * an error naming it and the keys, and the others run: one broken connector does not stop the proxy.
     */
    private String routeFiles(List<String> connectors) {
        List<String> patterns = new ArrayList<>();
        patterns.add("file:" + home.resolve("routes") + "/*.camel.yaml");
        // the building blocks' route templates (polled-source); the Kamelets beside them are read by name (Blocks)
        patterns.add("file:" + home.resolve(Blocks.FOLDER) + "/*.camel.yaml");
        Set<String> configured = startupSettings.configuredKeys();
        for (String connector : connectors) {
            Path file = home.resolve("connectors").resolve(connector + ".camel.yaml");
            if (!Files.isRegularFile(file)) {
                LOG.error(
                        "Connector {} is not started: senproxy.connectors names it but there is no {}",
                        connector,
                        file);
                continue;
            }
            ConnectorFile declared;
            try {
                declared = ConnectorFile.read(file);
            } catch (IOException e) {
                LOG.error("Connector {} is not started: cannot read {}: {}", connector, file, e.toString());
                continue;
            }
            for (String key : declared.unknown(configured)) {
                LOG.warn(
                        "Setting {} is not read by connector {} (it reads {}): a typo?",
                        key,
                        connector,
                        declared.keys());
            }
            List<String> missing = declared.missing(startupSettings::isSet);
            if (!missing.isEmpty()) {
                LOG.error(
                        "Connector {} is not started: missing setting(s) {} (environment variable(s) {})",
                        connector,
                        String.join(", ", missing),
                        String.join(
                                ", ",
                                missing.stream().map(Settings::environmentName).toList()));
                continue;
            }
            List<String> blockProblems;
            try {
                blockProblems = declared.blockProblems(home.resolve(Blocks.FOLDER));
            } catch (IOException | RuntimeException e) {
                blockProblems = List.of("cannot read its building blocks: " + e);
            }
            if (!blockProblems.isEmpty()) {
                LOG.error("Connector {} is not started: {}", connector, String.join("; ", blockProblems));
                continue;
            }
            patterns.add("file:" + file);
        }
        return String.join(",", patterns);
    }

    private List<String> connectors() {
        String value = setting("senproxy.connectors");
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return Arrays.stream(value.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "sen-proxy";
        }
    }

    private String setting(String key) {
        return startupSettings.get(key);
    }

    /** Starts the proxy and returns once its routes run. */
    public void start() {
        main.start();
    }

    public void stop() {
        main.stop();
        if (tracing != null) {
            tracing.close();
        }
        logFiles.close();
    }

    /** Runs until the JVM is asked to stop (Ctrl-C, SIGTERM). */
    public void run() throws Exception {
        try {
            main.run();
        } finally {
            if (tracing != null) {
                tracing.close();
            }
        }
    }

    public CamelContext context() {
        return main.getCamelContext();
    }
}
