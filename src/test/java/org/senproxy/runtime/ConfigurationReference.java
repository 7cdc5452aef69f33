package org.senproxy.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.senproxy.runtime.SettingsDeclaration.Section;
import org.senproxy.runtime.SettingsDeclaration.Setting;

/**
 * Writes docs/configuration.md from the declaration of the proxy's settings (SettingsDeclaration) and the header
 * tables of the connector files (connectors/*.camel.yaml, "Properties default meaning"). Run from the project folder:
 *
 * <pre>
 * mvn -B -ntp -o -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=org.senproxy.runtime.ConfigurationReference
 * </pre>
 *
 * SettingsDeclarationTest fails while the committed file differs from what this writes.
 */
public final class ConfigurationReference {

    static final String FILE = "docs/configuration.md";
    static final String COMMAND = "mvn -B -ntp -o -q test-compile exec:java -Dexec.classpathScope=test"
            + " -Dexec.mainClass=org.senproxy.runtime.ConfigurationReference";

    private static final Pattern HEADER = Pattern.compile("^#\\s+Properties\\s+default\\s+meaning\\s*$");
    private static final Pattern ROW = Pattern.compile("^# {3}([^\\s,]+(?:,\\s*[^\\s,]+)*)(?:\\s+(.*))?$");
    private static final Pattern CONTINUATION = Pattern.compile("^# {4,}(\\S.*)$");

    private ConfigurationReference() {}

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        Files.writeString(root.resolve(FILE), generate(root), StandardCharsets.UTF_8);
        System.out.println("Wrote " + root.resolve(FILE));
    }

    /** One row of a connector's header table; {@code keys} holds several for "x.above, .below". */
    record Row(List<String> keys, String defaultValue, String meaning) {}

    /** The header table of a connector file, in order. */
    static List<Row> connectorTable(Path file) throws IOException {
        List<Row> rows = new ArrayList<>();
        boolean inTable = false;
        for (String line : Files.readAllLines(file)) {
            if (!inTable) {
                inTable = HEADER.matcher(line).matches();
                continue;
            }
            Matcher continuation = CONTINUATION.matcher(line);
            Matcher row = ROW.matcher(line);
            if (continuation.matches() && !rows.isEmpty()) {
                Row last = rows.remove(rows.size() - 1);
                String more = continuation.group(1).strip();
                rows.add(new Row(
                        last.keys(),
                        last.defaultValue(),
                        last.meaning().isEmpty() ? more : last.meaning() + " " + more));
            } else if (row.matches()) {
                String rest = row.group(2) == null ? "" : row.group(2).strip();
                String[] parts = rest.split("\\s{2,}", 2);
                rows.add(new Row(keys(row.group(1)), parts[0], parts.length > 1 ? parts[1].strip() : ""));
            } else {
                break;
            }
        }
        return rows;
    }

    /** "dataconnect.above, .below": dataconnect.above and dataconnect.below. */
    private static List<String> keys(String cell) {
        List<String> keys = new ArrayList<>();
        String prefix = "";
        for (String key : cell.split(",")) {
            key = key.strip();
            if (key.startsWith(".")) {
                key = prefix + key;
            } else if (key.contains(".")) {
                prefix = key.substring(0, key.indexOf('.'));
            }
            keys.add(key);
        }
        return keys;
    }

    static List<Path> connectorFiles(Path root) throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("connectors"))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".camel.yaml"))
                    .sorted()
                    .toList();
        }
    }

    static String generate(Path root) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# Configuration reference\n\n");
        md.append(
                        "<!-- Generated from SettingsDeclaration (src/main/java/org/senproxy/runtime/) and the header tables of"
                                + " connectors/*.camel.yaml\n     by ConfigurationReference: do not edit here. Change the declaration,"
                                + " then run\n     ")
                .append(COMMAND)
                .append(" -->\n\n");
        md.append("Every setting of a proxy, with its default (secrets have none). A setting is read from the proxy's\n"
                + "`application.properties`, or from the environment variable of its key (upper case, `_` for `.` and"
                + " `-`), which wins.\n"
                + "Each is declared once, in `SettingsDeclaration`: the Java code and the route files read the default"
                + " from there\n(routes write `{{senproxy.x}}`, never `{{senproxy.x:default}}`); a connector's settings"
                + " are declared in its own file.\n\n");
        for (Section section : SettingsDeclaration.sections()) {
            md.append("## ").append(section.title()).append("\n\n");
            if (!section.intro().isEmpty()) {
                md.append(section.intro()).append("\n\n");
            }
            md.append("| key | type | default | meaning |\n|---|---|---|---|\n");
            for (Setting setting : section.settings()) {
                md.append("| `")
                        .append(setting.key())
                        .append("` | ")
                        .append(setting.type().label())
                        .append(" | ")
                        .append(cell(setting.shownDefault()))
                        .append(" | ")
                        .append(cell(setting.meaning()))
                        .append(" |\n");
            }
            md.append('\n');
        }
        md.append("## Connectors\n\n");
        md.append(
                "A connector's settings are declared in the header table of its file (`connectors/<name>.camel.yaml`),"
                        + " read here.\nA connector missing a setting without default is left out at start-up, named with"
                        + " the key; the others run.\n\n");
        for (Path file : connectorFiles(root)) {
            String name = file.getFileName().toString().replaceFirst("\\.camel\\.yaml$", "");
            md.append("### ").append(name).append("\n\n");
            md.append("`connectors/").append(file.getFileName()).append("`\n\n");
            md.append("| key | default | meaning |\n|---|---|---|\n");
            for (Row row : connectorTable(file)) {
                md.append("| ")
                        .append(String.join(
                                ", ",
                                row.keys().stream().map(k -> "`" + k + "`").toList()))
                        .append(" | ")
                        .append(cell(row.defaultValue()))
                        .append(" | ")
                        .append(cell(row.meaning()))
                        .append(" |\n");
            }
            md.append('\n');
        }
        return md.toString().stripTrailing() + "\n";
    }

    private static String cell(String text) {
        return text.replace("|", "\\|");
    }
}
