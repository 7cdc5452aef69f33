package org.senproxy.connectors;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * Records delivered to a sink (see routes/inbox-delivery.camel.yaml) as InfluxDB line protocol, one point per
 * record: {@code <measurement>,name=<record name>,sender=<JID>[,unit=<unit>] <field>=<value>[,sum=<sum>][,duration_s=<dur>] <time>}
 * with the time in microseconds (write with {@code precision=u}). The numeric value is the float field
 * {@code value}; string, boolean and data values go to {@code string_value}, {@code bool_value},
 * {@code data_value}. A point is identified by measurement, tags and time, so writing a delivery twice stores it
 * once. Escaping follows the line protocol: commas, spaces and equals signs in tags, quotes and backslashes in
 * string fields.
 */
public final class InfluxLineProtocol {

    private InfluxLineProtocol() {}

    public static String lines(List<Map<String, Object>> records, String measurement) {
        StringBuilder out = new StringBuilder();
        for (Map<String, Object> record : records) {
            out.append(escapeKey(measurement, false));
            tag(out, "name", record.get("name"));
            tag(out, "sender", record.get("sender"));
            tag(out, "unit", record.get("unit"));
            out.append(' ');
            boolean first = true;
            first = field(out, first, "value", number(record.get("value")));
            first = field(out, first, "string_value", string(record.get("string_value")));
            first = field(
                    out,
                    first,
                    "bool_value",
                    record.get("bool_value") == null
                            ? null
                            : record.get("bool_value").toString());
            first = field(out, first, "data_value", string(record.get("data_value")));
            first = field(out, first, "sum", number(record.get("sum")));
            field(out, first, "duration_s", number(record.get("duration_s")));
            OffsetDateTime time = (OffsetDateTime) record.get("time");
            out.append(' ')
                    .append(ChronoUnit.MICROS.between(OffsetDateTime.parse("1970-01-01T00:00:00Z"), time))
                    .append('\n');
        }
        return out.toString();
    }

    private static void tag(StringBuilder out, String key, Object value) {
        if (value != null && !value.toString().isEmpty()) {
            out.append(',').append(key).append('=').append(escapeKey(value.toString(), true));
        }
    }

    private static boolean field(StringBuilder out, boolean first, String key, String value) {
        if (value == null) {
            return first;
        }
        if (!first) {
            out.append(',');
        }
        out.append(key).append('=').append(value);
        return false;
    }

    private static String number(Object value) {
        return value == null ? null : new BigDecimal(value.toString()).toPlainString();
    }

    private static String string(Object value) {
        return value == null
                ? null
                : '"' + value.toString().replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /** Measurement names escape commas and spaces; tag keys and values also escape equals signs. */
    private static String escapeKey(String text, boolean equalsToo) {
        String escaped = text.replace("\\", "\\\\").replace(",", "\\,").replace(" ", "\\ ");
        return equalsToo ? escaped.replace("=", "\\=") : escaped;
    }
}
