package org.senproxy.connectors;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Records delivered to a sink (one map per record, see routes/inbox-delivery.camel.yaml) turned into columns: one
 * array per key, in the records' order, so that a SQL sink writes a whole delivery in one statement, e.g.
 * <pre>
 * INSERT INTO t (name, time, value) SELECT * FROM unnest(:#name::text[], :#time::timestamptz[], :#value::float8[])
 * </pre>
 * where camel-sql's batch mode sends one row per record and parses its named parameters again for each (10% of a
 * receiving proxy's CPU in docs/benchmarks-log.md, run 6).
 *
 * <p>The arrays are of the types PostgreSQL's driver binds: {@code String[]}, {@code Double[]} (any non-integral
 * number), {@code Long[]} (integral numbers only), {@code Boolean[]}. Times ({@link OffsetDateTime}, {@link Instant},
 * {@link ZonedDateTime}) become ISO-8601 text, exact to the nanosecond: cast them in SQL ({@code ::timestamptz[]}).
 * A key missing from a record, or null, is a null element. A key whose values are all null is a {@code String[]}
 * of nulls, which SQL casts to any array type; values of mixed kinds (other than numbers) are given as their text.
 */
public final class SqlColumns {

    private SqlColumns() {}

    /** One array per key found in any record, by key; no keys for no records (a filter should skip the write). */
    public static Map<String, Object> of(List<Map<String, Object>> records) {
        Set<String> keys = new LinkedHashSet<>();
        for (Map<String, Object> record : records) {
            keys.addAll(record.keySet());
        }
        Map<String, Object> columns = new LinkedHashMap<>();
        List<Object> values = new ArrayList<>(records.size());
        for (String key : keys) {
            values.clear();
            for (Map<String, Object> record : records) {
                values.add(record.get(key));
            }
            columns.put(key, column(values));
        }
        return columns;
    }

    private static Object column(List<Object> values) {
        Kind kind = null;
        for (Object value : values) {
            if (value != null) {
                kind = Kind.of(value).with(kind);
            }
        }
        int n = values.size();
        return switch (kind == null ? Kind.TEXT : kind) { // all nulls: text, which SQL casts to any array type
            case DOUBLE -> fill(values, new Double[n], v -> ((Number) v).doubleValue());
            case LONG -> fill(values, new Long[n], v -> ((Number) v).longValue());
            case BOOLEAN -> fill(values, new Boolean[n], v -> (Boolean) v);
            case TEXT -> fill(values, new String[n], SqlColumns::text);
        };
    }

    /** The values into the array, converted; nulls stay null. */
    private static <T> T[] fill(List<Object> values, T[] column, Function<Object, T> convert) {
        for (int i = 0; i < column.length; i++) {
            Object value = values.get(i);
            column[i] = value == null ? null : convert.apply(value);
        }
        return column;
    }

    private static String text(Object value) {
        if (value instanceof ZonedDateTime zoned) {
            return zoned.toOffsetDateTime().toString(); // without the zone's name in brackets, which SQL does not read
        }
        return value.toString();
    }

    /** What array a column's values make; TEXT for strings, times and anything else (its toString). */
    private enum Kind {
        DOUBLE,
        LONG,
        BOOLEAN,
        TEXT;

        static Kind of(Object value) {
            if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
                return DOUBLE;
            }
            if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
                return LONG;
            }
            if (value instanceof Boolean) {
                return BOOLEAN;
            }
            return TEXT;
        }

        /** This kind with the kind of the values before it: numbers of both kinds are doubles, other mixes text. */
        Kind with(Kind before) {
            if (before == null || before == this) {
                return this;
            }
            return (this == DOUBLE || this == LONG) && (before == DOUBLE || before == LONG) ? DOUBLE : TEXT;
        }
    }
}
