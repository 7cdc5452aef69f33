package org.senproxy.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    private static final Set<String> SHARED_PREFIXES = Set.of("senproxy", "camel");

    private final String name;
    private final Set<String> required = new TreeSet<>();
    private final Set<String> optional = new TreeSet<>();

    ConnectorFile(String name, String text) {
        this.name = name;
        for (String line : text.split("\n")) {
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
        return new ConnectorFile(fileName.replaceFirst("\\.camel\\.yaml$", ""), Files.readString(file));
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
}
