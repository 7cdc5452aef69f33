package org.senproxy.catalogue;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.senproxy.senml.Glob;
import org.senproxy.senml.Senml;
import org.senproxy.senml.SenmlException;
import org.senproxy.senml.SenmlRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The series this proxy serves, derived from its connector files: every {@link SeriesDeclaration} bean of the loaded
 * connectors (connectors/README.md says how to declare one). Read once, at first use, after Camel has loaded the
 * files; they do not change while the proxy runs.
 *
 * <p>Who reads it: the HTTP catalogue (observe.HyperCat, {@code /catalogue.json}), the alarms (thresholds, and each
 * connector's period for the stale alarm), and the federation's service discovery and commands, which match a
 * requested identifier to its series with {@link #find(String)}.
 *
 * <p>A declaration that cannot be read (a threshold that is not a number, a unit outside the SenML registry...) is left
 * out with an ERROR line naming its bean; the rest of the catalogue stands.
 */
public final class Catalogue {

    private static final Logger LOG = LoggerFactory.getLogger(Catalogue.class);

    /** SenML name characters (RFC 8428 section 4.5.1), and {@code *} for a pattern. */
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9*][-A-Za-z0-9:./_*]*");
    /** A quartz poll's interval in a connector's resolved {@code from} URI. */
    private static final Pattern REPEAT_INTERVAL = Pattern.compile("[?&]trigger\\.repeatInterval=(\\d+)");

    private static final int MATCH_CACHE_SIZE = 10_000;

    /**
     * A series with what the alarms need of its declaration.
     *
     * @param above  values above this raise an alarm, or {@code null}
     * @param below  values below this raise an alarm, or {@code null}
     * @param period how often new values arrive at least, or {@code null} (then the connector's poll interval)
     */
    public record Declared(Series series, Double above, Double below, Duration period) {

        public boolean hasThreshold() {
            return above != null || below != null;
        }
    }

    private record Built(List<Declared> declared, Map<String, Duration> periods) {}

    private final CamelContext context;
    private final Cache<String, Optional<Declared>> matches =
            Caffeine.newBuilder().maximumSize(MATCH_CACHE_SIZE).build();
    private volatile Built built;

    public Catalogue(CamelContext context) {
        this.context = context;
    }

    /** Every series, by connector then identifier. */
    public List<Series> series() {
        return built().declared().stream().map(Declared::series).toList();
    }

    /**
     * The series a record name (or a requested identifier) belongs to: the series declared with exactly that
     * identifier, or else the most specific pattern that matches it (the one with the most characters besides
     * {@code *}).
     */
    public Optional<Series> find(String identifier) {
        return match(null, identifier).map(Declared::series);
    }

    /** Same as {@link #find(String)} among one connector's series, with its thresholds and period. */
    public Optional<Declared> declared(String connector, String identifier) {
        return match(connector, identifier);
    }

    /**
     * How often each connector yields something new at least: the shortest period its series declare, or else its
     * poll interval (a quartz {@code trigger.repeatInterval}). A connector with neither is not in the map.
     */
    public Map<String, Duration> connectorPeriods() {
        return built().periods();
    }

    private Optional<Declared> match(String connector, String identifier) {
        if (identifier == null) {
            return Optional.empty();
        }
        return matches.get(connector + "\n" + identifier, key -> search(connector, identifier));
    }

    private Optional<Declared> search(String connector, String identifier) {
        Declared best = null;
        int bestLiterals = -1;
        for (Declared d : built().declared()) {
            Series s = d.series();
            if (connector != null && !connector.equals(s.connector())) {
                continue;
            }
            if (!s.isPattern()) {
                if (s.identifier().equals(identifier)) {
                    return Optional.of(d);
                }
                continue;
            }
            int literals = s.identifier().replace("*", "").length();
            if (literals > bestLiterals && Glob.of(s.identifier()).matches(identifier)) {
                best = d;
                bestLiterals = literals;
            }
        }
        return Optional.ofNullable(best);
    }

    private Built built() {
        Built b = built;
        if (b == null) {
            synchronized (this) {
                b = built;
                if (b == null) {
                    built = b = build();
                }
            }
        }
        return b;
    }

    private Built build() {
        Map<String, SeriesDeclaration> beans =
                new TreeMap<>(context.getRegistry().findByTypeWithName(SeriesDeclaration.class));
        List<Declared> declared = new ArrayList<>();
        beans.forEach((name, bean) -> {
            try {
                Declared d = read(bean);
                if (d != null) {
                    declared.add(d);
                    if (connectorRoute(d.series().connector()) == null) {
                        LOG.warn(
                                "Series declaration {} names connector {}, which has no route here",
                                name,
                                d.series().connector());
                    }
                } else {
                    LOG.debug("Series declaration {} does not apply to this configuration ({})", name, bean.getWhen());
                }
            } catch (IllegalArgumentException e) {
                LOG.error("Series declaration {} is left out of the catalogue: {}", name, e.getMessage());
            }
        });
        beans.values().stream()
                .map(SeriesDeclaration::getConnector)
                .filter(Objects::nonNull)
                .distinct()
                .filter(c ->
                        declared.stream().noneMatch(d -> d.series().connector().equals(c)))
                .forEach(c -> LOG.warn(
                        "Connector {} declares series, but none for its configuration (their 'when'"
                                + " conditions): it is not in the catalogue",
                        c));
        declared.sort(Comparator.comparing((Declared d) -> d.series().connector())
                .thenComparing(d -> d.series().identifier()));
        Map<String, Duration> periods = new TreeMap<>();
        for (Declared d : declared) {
            if (d.period() != null) {
                periods.merge(d.series().connector(), d.period(), (a, b) -> a.compareTo(b) <= 0 ? a : b);
            }
        }
        for (String connector :
                declared.stream().map(d -> d.series().connector()).distinct().toList()) {
            if (!periods.containsKey(connector)) {
                Duration poll = pollInterval(connector);
                if (poll != null) {
                    periods.put(connector, poll);
                } else {
                    LOG.info(
                            "Connector {} declares no period and has no poll interval: no stale alarm for it",
                            connector);
                }
            }
        }
        LOG.info(
                "Catalogue: {} series of {}",
                declared.size(),
                declared.stream().map(d -> d.series().connector()).distinct().toList());
        return new Built(List.copyOf(declared), Map.copyOf(periods));
    }

    /** A declaration as a series, or {@code null} when its {@code when} condition does not hold. */
    static Declared read(SeriesDeclaration bean) {
        if (!applies(bean.getWhen())) {
            return null;
        }
        String connector = required(bean.getConnector(), "connector");
        String identifier = required(bean.getIdentifier(), "identifier");
        if (!IDENTIFIER.matcher(identifier).matches()) {
            throw new IllegalArgumentException("identifier '" + identifier + "' has characters a SenML name cannot"
                    + " have (A-Z a-z 0-9 - : . / _, and * for a pattern)");
        }
        String unit = blankToNull(bean.getUnit());
        if (unit != null) {
            try {
                Senml.resolve(List.of(SenmlRecord.of("x", unit, 1e9, 0)), 0);
            } catch (SenmlException e) {
                throw new IllegalArgumentException("unit '" + unit + "' is not in the SenML units registry");
            }
        }
        Duration sampling = duration(bean.getSampling(), "sampling");
        Series series = new Series(
                identifier,
                connector,
                blankToNull(bean.getQuantity()),
                unit,
                blankToNull(bean.getAggregate()),
                sampling == null ? null : Math.max(1, sampling.toSeconds()),
                blankToNull(bean.getDescription()));
        return new Declared(
                series,
                number(bean.getAbove(), "above"),
                number(bean.getBelow(), "below"),
                duration(bean.getPeriod(), "period"));
    }

    private static boolean applies(String when) {
        if (when == null || when.isBlank()) {
            return true;
        }
        String[] sides = when.split("==", -1);
        if (sides.length != 2) {
            throw new IllegalArgumentException("when '" + when + "' is not of the form '<a> == <b>'");
        }
        return sides[0].trim().equals(sides[1].trim());
    }

    private static String required(String value, String property) {
        String v = blankToNull(value);
        if (v == null) {
            throw new IllegalArgumentException("no " + property);
        }
        return v;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static Double number(String value, String property) {
        String v = blankToNull(value);
        if (v == null) {
            return null;
        }
        try {
            double d = Double.parseDouble(v);
            if (Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(property + " '" + v + "' is not a number");
    }

    /** ISO 8601 ({@code PT30M}, {@code P1D}) or whole milliseconds (a {@code *-ms} setting). */
    static Duration duration(String value, String property) {
        String v = blankToNull(value);
        if (v == null) {
            return null;
        }
        Duration d;
        try {
            d = v.chars().allMatch(Character::isDigit)
                    ? Duration.ofMillis(Long.parseLong(v))
                    : Duration.parse(v.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new IllegalArgumentException(
                    property + " '" + v + "' is neither an ISO 8601 duration (PT30M, P1D)" + " nor milliseconds");
        }
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(property + " '" + v + "' is not a positive duration");
        }
        return d;
    }

    private RouteDefinition connectorRoute(String connector) {
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        return model == null ? null : model.getRouteDefinition(connector);
    }

    /** The connector's quartz poll interval, read from its route's {@code from}; {@code null} when it has none. */
    private Duration pollInterval(String connector) {
        RouteDefinition route = connectorRoute(connector);
        if (route == null || route.getInput() == null) {
            return null;
        }
        String uri = route.getInput().getEndpointUri();
        // a connector made from a building block (kamelets/polled-source) has {{interval}}: the template's parameter
        Map<String, Object> parameters = route.getTemplateParameters();
        if (parameters != null) {
            for (Map.Entry<String, Object> parameter : parameters.entrySet()) {
                uri = uri.replace("{{" + parameter.getKey() + "}}", String.valueOf(parameter.getValue()));
            }
        }
        try {
            uri = context.resolvePropertyPlaceholders(uri);
        } catch (RuntimeException e) {
            return null;
        }
        Matcher m = REPEAT_INTERVAL.matcher(uri);
        return m.find() ? Duration.ofMillis(Long.parseLong(m.group(1))) : null;
    }
}
