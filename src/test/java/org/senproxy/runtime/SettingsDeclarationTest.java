package org.senproxy.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senproxy.runtime.ConfigurationReference.Row;
import org.senproxy.runtime.SettingsDeclaration.Setting;
import org.senproxy.runtime.SettingsDeclaration.Target;

/**
 * Every setting is declared once (SettingsDeclaration, or a connector file's header table), read from there, and
 * documented by docs/configuration.md as generated from it.
 */
class SettingsDeclarationTest {

    private static final Path ROOT = Path.of(".");

    /** {{key}}, {{?key}}, {{key:default}}: a key has a dot or is a template parameter (a Kamelet's, a template's). */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\??([A-Za-z0-9][A-Za-z0-9.-]*)(?::([^{}]*))?}}");
    /** ${properties:key} or ${properties:key:default}, the default possibly holding a {{placeholder}}. */
    private static final Pattern RUNTIME_PROPERTY =
            Pattern.compile("\\$\\{properties:([A-Za-z0-9][A-Za-z0-9.-]*)(?::((?:[^{}]|\\{\\{[^{}]*}})*))?}");
    /** A literal key handed to Settings, StartupSettings or ProxyBeans.retry, kept in a constant, or a map entry. */
    private static final List<Pattern> JAVA_READS = List.of(
            Pattern.compile("\\.(?:get|string|integer|bool|millis|optional|required|isSet)\\(\\s*\"([^\"]+)\""),
            Pattern.compile("\\bsetting\\(\\s*\"([^\"]+)\""),
            Pattern.compile("static final String \\w+ = \"((?:senproxy|camel)\\.[^\"]+)\""),
            Pattern.compile("Map\\.entry\\(\\s*\"((?:senproxy|camel)\\.[^\"]+)\""),
            Pattern.compile("retry\\(settings,\\s*\"([^\"]+)\",\\s*\"([^\"]+)\",\\s*\"([^\"]+)\"\\)"));

    private static final Pattern JAVA_ENVIRONMENT = Pattern.compile("\"(SENPROXY_[A-Z0-9_]+)\"");
    private static final Pattern LOGBACK_VARIABLE = Pattern.compile("\\$\\{(SENPROXY_[A-Z0-9_]+)(?::-([^}]*))?}");
    private static final Pattern PROPERTIES_LINE = Pattern.compile("^#?\\s*((?:senproxy|camel)\\.[A-Za-z0-9.-]+)\\s*=");

    @Test
    void theReferenceIsGeneratedFromTheDeclaration() throws IOException {
        String committed = Files.readString(ROOT.resolve(ConfigurationReference.FILE));
        assertThat(committed)
                .as(ConfigurationReference.FILE + " is stale: regenerate it with " + ConfigurationReference.COMMAND)
                .isEqualTo(ConfigurationReference.generate(ROOT));
    }

    @Test
    void everyKeyTheJavaCodeReadsIsDeclared() throws IOException {
        Map<String, Set<String>> undeclared = new TreeMap<>();
        for (Path file : files(ROOT.resolve("src/main/java"), ".java")) {
            String text = Files.readString(file);
            for (Pattern pattern : JAVA_READS) {
                Matcher m = pattern.matcher(text);
                while (m.find()) {
                    for (int g = 1; g <= m.groupCount(); g++) {
                        String key = m.group(g);
                        if ((key.startsWith("senproxy.") || key.startsWith("camel."))
                                && !SettingsDeclaration.isDeclared(key)) {
                            undeclared
                                    .computeIfAbsent(key, k -> new TreeSet<>())
                                    .add(name(file));
                        }
                    }
                }
            }
            Matcher env = JAVA_ENVIRONMENT.matcher(text);
            while (env.find()) {
                if (!environmentDeclared(env.group(1))) {
                    undeclared
                            .computeIfAbsent(env.group(1), k -> new TreeSet<>())
                            .add(name(file));
                }
            }
        }
        assertThat(undeclared)
                .as("settings read in Java but not declared in SettingsDeclaration")
                .isEmpty();
    }

    @Test
    void everyKeyTheRouteFilesReadIsDeclaredAndTheirDefaultsLiveThere() throws IOException {
        Map<String, Set<String>> undeclared = new TreeMap<>();
        List<String> inlineDefaults = new ArrayList<>();
        List<Path> files = new ArrayList<>(files(ROOT.resolve("routes"), ".yaml"));
        files.addAll(files(ROOT.resolve(Blocks.FOLDER), ".yaml"));
        files.addAll(ConfigurationReference.connectorFiles(ROOT));
        for (Path file : files) {
            boolean connector = file.getParent().getFileName().toString().equals("connectors");
            for (Use use : uses(file)) {
                boolean proxys = use.key.startsWith("senproxy.") || use.key.startsWith("camel.");
                if (!use.key.contains(".") || (connector && !proxys)) {
                    continue; // template parameters; a connector's own keys are checked against its table
                }
                if (!SettingsDeclaration.isDeclared(use.key)) {
                    undeclared.computeIfAbsent(use.key, k -> new TreeSet<>()).add(name(file));
                } else if (use.defaultValue != null) {
                    inlineDefaults.add(name(file) + ": " + use.key + ":" + use.defaultValue);
                }
            }
        }
        for (String line : Files.readAllLines(ROOT.resolve("application.properties"))) {
            Matcher m = PROPERTIES_LINE.matcher(line);
            if (m.find() && m.group(1).startsWith("senproxy.") && !SettingsDeclaration.isDeclared(m.group(1))) {
                undeclared.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add("application.properties");
            }
            Matcher p = PLACEHOLDER.matcher(line);
            while (p.find()) {
                if (!SettingsDeclaration.isDeclared(p.group(1))) {
                    undeclared.computeIfAbsent(p.group(1), k -> new TreeSet<>()).add("application.properties");
                }
            }
        }
        assertThat(undeclared)
                .as("settings read by route files or set in application.properties but not declared"
                        + " in SettingsDeclaration")
                .isEmpty();
        assertThat(inlineDefaults)
                .as("inline defaults of declared settings: the declaration holds the default," + " write {{key}}")
                .isEmpty();
    }

    @Test
    void everyKeyAConnectorReadsIsInItsHeaderTableWithTheSameDefault() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Path file : ConfigurationReference.connectorFiles(ROOT)) {
            Map<String, Row> table = new TreeMap<>();
            for (Row row : ConfigurationReference.connectorTable(file)) {
                row.keys().forEach(k -> table.put(k, row));
            }
            if (table.isEmpty()) {
                problems.add(name(file) + ": no header table (# Properties  default  meaning)");
            }
            for (Use use : uses(file)) {
                if (!use.key.contains(".") || use.key.startsWith("senproxy.") || use.key.startsWith("camel.")) {
                    continue;
                }
                Row row = table.get(use.key);
                if (row == null) {
                    problems.add(name(file) + ": " + use.key + " is not in its header table");
                } else if (use.defaultValue != null
                        && !use.defaultValue.contains("{{")
                        && !row.defaultValue().startsWith("(")
                        && !row.defaultValue().equals(use.defaultValue)) {
                    problems.add(name(file) + ": " + use.key + " defaults to " + use.defaultValue
                            + " where it is read, to " + row.defaultValue() + " in its header table");
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void theLogbackFilesUseDeclaredEnvironmentVariablesWithTheirDeclaredDefaults() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Path file : files(ROOT.resolve("src/main/resources"), ".xml")) {
            for (String line : Files.readAllLines(file)) {
                if (line.contains("<!--")) {
                    continue;
                }
                Matcher m = LOGBACK_VARIABLE.matcher(line);
                while (m.find()) {
                    if (!SettingsDeclaration.isDeclared(m.group(1))) {
                        problems.add(name(file) + ": " + m.group(1) + " is not declared");
                    } else if (m.group(2) != null
                            && !m.group(2)
                                    .equals(SettingsDeclaration.setting(m.group(1))
                                            .defaultValue())) {
                        problems.add(name(file) + ": " + m.group(1) + " defaults to " + m.group(2));
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everySettingHasADefaultOrSaysWhyNot() {
        for (var section : SettingsDeclaration.sections()) {
            for (Setting setting : section.settings()) {
                assertThat(setting.meaning()).as(setting.key()).isNotBlank();
                switch (setting.kind()) {
                    case DEFAULT ->
                        assertThat(setting.value()).as(setting.key()).isNotNull();
                    case UNSET ->
                        assertThat(setting.value())
                                .as(setting.key() + ": what unset means")
                                .isNotBlank();
                    case SECRET, REQUIRED ->
                        assertThat(setting.value()).as(setting.key()).isNull();
                }
                if (section.target() != Target.ENVIRONMENT) {
                    assertThat(setting.key()).as("a setting's key").matches("(senproxy|camel)\\.[A-Za-z0-9.-]+");
                }
            }
        }
        assertThat(ProxyApplication.CAMEL_DEFAULTS)
                .containsEntry("camel.management.port", "9876")
                .containsEntry("camel.server.host", "127.0.0.1");
    }

    /**
     * The declared default is Camel's last resort: application.properties, a system property (the slot of an
     * environment variable: Camel looks both up before its properties) and overrides all win over it, and a route's
     * {{senproxy.x}} resolves without an inline default.
     */
    @Test
    void theDeclaredDefaultIsTheLowestPriority(@TempDir Path home) throws Exception {
        Files.writeString(
                home.resolve("application.properties"),
                "senproxy.outbox.batch-size = 7\nsenproxy.inbox.batch-size = 8\nsenproxy.retention.batch-size = 9\n");
        System.setProperty("senproxy.inbox.batch-size", "80");
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setLocation("file:" + home.resolve("application.properties"));
            context.getPropertiesComponent().addOverrideProperty("senproxy.retention.batch-size", "90");
            Settings.installDefaults(context);
            Settings settings = new Settings(context);

            assertThat(context.resolvePropertyPlaceholders("{{senproxy.outbox.window}}"))
                    .isEqualTo("200");
            assertThat(settings.integer("senproxy.outbox.window")).isEqualTo(200);
            assertThat(context.resolvePropertyPlaceholders("{{senproxy.outbox.batch-size}}"))
                    .isEqualTo("7");
            assertThat(settings.integer("senproxy.outbox.batch-size")).isEqualTo(7);
            assertThat(settings.integer("senproxy.inbox.batch-size")).isEqualTo(80);
            assertThat(settings.integer("senproxy.retention.batch-size")).isEqualTo(90);
            assertThat(settings.optional("senproxy.db.schema")).isEmpty();
            assertThatThrownBy(() -> settings.integer("senproxy.outbox.no-such-thing"))
                    .hasMessageContaining("not declared");

            StartupSettings startup = new StartupSettings(home, Map.of("senproxy.retention.batch-size", "90"));
            assertThat(startup.get("senproxy.outbox.window")).isEqualTo("200");
            assertThat(startup.get("senproxy.outbox.batch-size")).isEqualTo("7");
            assertThat(startup.get("senproxy.inbox.batch-size")).isEqualTo("80");
            assertThat(startup.get("senproxy.retention.batch-size")).isEqualTo("90");
            assertThat(startup.get("senproxy.db.schema")).isNull();
            assertThat(startup.isSet("senproxy.outbox.window")).isFalse();
            assertThatThrownBy(() -> startup.get("senproxy.outbox.no-such-thing"))
                    .hasMessageContaining("not declared");
        } finally {
            System.clearProperty("senproxy.inbox.batch-size");
        }
    }

    private record Use(String key, String defaultValue) {}

    /** The keys a YAML file reads, outside comments, with their inline defaults (null: none). */
    private static List<Use> uses(Path file) throws IOException {
        List<Use> uses = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (line.stripLeading().startsWith("#")) {
                continue;
            }
            for (Pattern pattern : new Pattern[] {PLACEHOLDER, RUNTIME_PROPERTY}) {
                Matcher m = pattern.matcher(line);
                while (m.find()) {
                    uses.add(new Use(m.group(1), m.group(2)));
                }
            }
        }
        return uses;
    }

    private static boolean environmentDeclared(String name) {
        if (SettingsDeclaration.isDeclared(name)) {
            return SettingsDeclaration.target(name) == Target.ENVIRONMENT;
        }
        // the environment form of a declared setting (SENPROXY_CREDENTIALS_KEYS)
        return SettingsDeclaration.sections().stream()
                .flatMap(s -> s.settings().stream())
                .anyMatch(s -> Settings.environmentName(s.key()).equals(name));
    }

    private static List<Path> files(Path folder, String suffix) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(f -> f.toString().endsWith(suffix)).sorted().toList();
        }
    }

    private static String name(Path file) {
        return ROOT.toAbsolutePath()
                .normalize()
                .relativize(file.toAbsolutePath().normalize())
                .toString();
    }
}
