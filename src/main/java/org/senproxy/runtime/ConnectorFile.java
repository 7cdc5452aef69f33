package org.senproxy.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * What a connector file asks of the configuration: the property placeholders of its routes ({@code {{key}}}
 * must be set, {@code {{key:default}}} and {@code {{?key}}} may be). Read before Camel loads the file, so that a
 * connector whose configuration is incomplete is left out with a message naming it and the missing keys, instead of
 * failing the whole proxy.
 */
public final class ConnectorFile {

    /** {{key}}, {{?key}} or {{key:default}}; keys of Camel's own functions (env:, sys:...) are not properties. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^{}:]+)(:[^{}]*)?}}");
    /**
     * ${properties:key} or ${properties:key:default}: a property read when the route runs, the form secrets use,
     * so that their values never appear in a route's definition (which Camel prints in some errors).
     */
    private static final Pattern RUNTIME_PROPERTY = Pattern.compile("\\$\\{properties:([^{}:]+)(:[^{}]*)?}");

    /**
     * A file of the home folder that a route reads as an expression (e.g. a request template:
     * {@code simple: "resource:file:{{senproxy.home}}/transforms/sge-request.xml"}): its ${properties:key} are the
     * connector's settings too.
     */
    private static final Pattern RESOURCE = Pattern.compile("resource:file:\\{\\{senproxy\\.home}}/([^\"'\\s]+)");

    private static final Set<String> SHARED_PREFIXES = Set.of("senproxy", "camel");

    private final String name;
    private final String text;
    private final Set<String> required = new TreeSet<>();
    private final Set<String> optional = new TreeSet<>();

    ConnectorFile(String name, String text) {
        this(name, text, List.of());
    }

    /** {@code resources}: the texts of the home's files the routes read ({@link #RESOURCE}), placeholders and all. */
    ConnectorFile(String name, String text, List<String> resources) {
        this.name = name;
        this.text = text;
        List<String> lines = new ArrayList<>(List.of(text.split("\n")));
        resources.forEach(resource -> lines.addAll(List.of(resource.split("\n"))));
        for (String line : lines) {
            if (line.stripLeading().startsWith("#")) {
                continue;
            }
            for (Pattern pattern : new Pattern[] {PLACEHOLDER, RUNTIME_PROPERTY}) {
                Matcher m = pattern.matcher(line);
                while (m.find()) {
                    String key = m.group(1).trim();
                    if (key.contains(" ") || key.startsWith("env") || key.startsWith("sys")) {
                        continue;
                    }
                    // {{?key}}: Camel leaves the endpoint option out when the key is not set
                    boolean mayBeUnset = key.startsWith("?") || m.group(2) != null;
                    key = key.startsWith("?") ? key.substring(1) : key;
                    (mayBeUnset ? optional : required).add(key);
                }
            }
        }
        optional.removeAll(required);
    }

    public static ConnectorFile read(Path file) throws IOException {
        String fileName = file.getFileName().toString();
        String text = Files.readString(file);
        // <home>/connectors/<name>.camel.yaml: the files it names are under <home>
        Path home = file.toAbsolutePath().getParent().getParent();
        List<String> resources = new ArrayList<>();
        Matcher m = RESOURCE.matcher(text);
        while (m.find()) {
            Path resource = home.resolve(m.group(1)).normalize();
            if (resource.startsWith(home) && Files.isRegularFile(resource)) {
                resources.add(Files.readString(resource));
            }
        }
        return new ConnectorFile(fileName.replaceFirst("\\.camel\\.yaml$", ""), text, resources);
    }

    public String name() {
        return name;
    }

    /** The keys this connector needs that {@code isSet} does not know, in order. */
    public List<String> missing(Predicate<String> isSet) {
        return required.stream().filter(isSet.negate()).toList();
    }

    /** Every key the connector reads, set or not. */
    public Set<String> keys() {
        Set<String> all = new TreeSet<>(required);
        all.addAll(optional);
        return all;
    }

    /** The first segments of its own keys ({@code ecodevices} for ecodevices.address), shared ones left out. */
    public Set<String> prefixes() {
        Set<String> prefixes = new TreeSet<>();
        for (String key : keys()) {
            int dot = key.indexOf('.');
            String prefix = dot < 0 ? key : key.substring(0, dot);
            if (!SHARED_PREFIXES.contains(prefix)) {
                prefixes.add(prefix);
            }
        }
        return prefixes;
    }

    /** Keys among {@code configured} under this connector's prefixes that it never reads (typos, mostly). */
    public List<String> unknown(Iterable<String> configured) {
        Set<String> keys = keys();
        Set<String> prefixes = prefixes();
        List<String> unknown = new ArrayList<>();
        for (String key : configured) {
            int dot = key.indexOf('.');
            if (dot > 0 && prefixes.contains(key.substring(0, dot)) && !keys.contains(key)) {
                unknown.add(key);
            }
        }
        return unknown;
    }

    /**
     * What is wrong in the connector's use of its building blocks (kamelets/): a block that is not there, a required
     * property or parameter not given, one the block does not take (mistyped). Camel itself would stop the whole
     * proxy for a missing one and ignore a mistyped one; read here, it leaves this connector out, named.
     */
    public List<String> blockProblems(Path blocks) throws IOException {
        List<String> problems = new ArrayList<>();
        Map<String, Map<String, Boolean>> definitions = new LinkedHashMap<>();
        for (Use use : uses(new Load(LoadSettings.builder().build()).loadFromString(text), new ArrayList<>())) {
            Map<String, Boolean> takes = definitions.get(use.block);
            if (takes == null) {
                takes = definition(blocks, use);
                if (takes == null) {
                    problems.add("no building block " + use.block + " in " + blocks);
                    continue;
                }
                definitions.put(use.block, takes);
            }
            for (Map.Entry<String, Boolean> p : takes.entrySet()) {
                if (p.getValue() && !use.given.contains(p.getKey())) {
                    problems.add("block " + use.block + " needs " + p.getKey());
                }
            }
            for (String given : use.given) {
                if (!takes.containsKey(given)) {
                    problems.add("block " + use.block + " takes no " + given + " (it takes " + takes.keySet() + ")");
                }
            }
        }
        return problems;
    }

    /** One use of a block: kamelet:<block> with its parameters, or a templatedRoute of routeTemplateRef <block>. */
    private record Use(String block, boolean kamelet, List<String> given) {}

    private static List<Use> uses(Object node, List<Use> found) {
        if (node instanceof Map<?, ?> map) {
            if (map.get("uri") instanceof String uri && uri.startsWith("kamelet:")) {
                String block = uri.substring("kamelet:".length()).replaceFirst("\\?.*", "");
                List<String> given = new ArrayList<>();
                if (map.get("parameters") instanceof Map<?, ?> parameters) {
                    parameters.keySet().forEach(k -> given.add(String.valueOf(k)));
                }
                if (!block.equals("source") && !block.equals("sink")) {
                    found.add(new Use(block, true, given));
                }
            }
            if (map.get("templatedRoute") instanceof Map<?, ?> templated) {
                List<String> given = new ArrayList<>();
                if (templated.get("parameters") instanceof List<?> parameters) {
                    for (Object p : parameters) {
                        if (p instanceof Map<?, ?> parameter) {
                            given.add(String.valueOf(parameter.get("name")));
                        }
                    }
                }
                found.add(new Use(String.valueOf(templated.get("routeTemplateRef")), false, given));
            }
            map.values().forEach(v -> uses(v, found));
        } else if (node instanceof List<?> list) {
            list.forEach(v -> uses(v, found));
        }
        return found;
    }

    /** The properties a block takes, each with whether it is required; null when there is no such block. */
    private static Map<String, Boolean> definition(Path blocks, Use use) throws IOException {
        Path file = blocks.resolve(use.block + (use.kamelet ? ".kamelet.yaml" : ".camel.yaml"));
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Object root = new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
        Map<String, Boolean> takes = new LinkedHashMap<>();
        if (use.kamelet) {
            // spec.definition: a JSON schema, its properties and the list of the required ones
            Map<?, ?> definition = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) root).get("spec")).get("definition");
            List<?> required = definition.get("required") instanceof List<?> r ? r : List.of();
            if (definition.get("properties") instanceof Map<?, ?> properties) {
                properties.keySet().forEach(k -> takes.put(String.valueOf(k), required.contains(k)));
            }
            return takes;
        }
        for (Object item : (List<?>) root) {
            if (item instanceof Map<?, ?> map
                    && map.get("routeTemplate") instanceof Map<?, ?> template
                    && use.block.equals(template.get("id"))) {
                for (Object p : (List<?>) template.get("parameters")) {
                    Map<?, ?> parameter = (Map<?, ?>) p;
                    takes.put(
                            String.valueOf(parameter.get("name")),
                            !parameter.containsKey("defaultValue") && !Boolean.FALSE.equals(parameter.get("required")));
                }
                return takes;
            }
        }
        return null;
    }
}
