package org.senproxy.inbox;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.senproxy.senml.Measurement;
import org.senproxy.senml.Senml;

/**
 * What a sink connector receives: one map per record, with the idempotency key (sender, message id,
 * name, time) in every map, so that a sink can write them with camel-sql and named parameters (postgres-sink: one
 * statement over the columns of org.senproxy.connectors.SqlColumns) or turn the list into its own format.
 */
public final class SinkRecords {

    private SinkRecords() {}

    public static List<Map<String, Object>> of(InboxRow row) {
        List<Measurement> records =
                row.records() != null ? row.records() : Senml.resolve(Senml.parseJson(row.payload()), 0);
        List<Map<String, Object>> maps = new ArrayList<>(records.size());
        for (Measurement m : records) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("sender", row.senderJid());
            map.put("message_id", row.messageId());
            map.put("name", m.name());
            map.put("unit", m.unit());
            map.put("time", OffsetDateTime.ofInstant(m.instant(), ZoneOffset.UTC));
            map.put("value", m.value());
            map.put("string_value", m.stringValue());
            map.put("bool_value", m.boolValue());
            map.put("data_value", m.dataValue());
            map.put("sum", m.sum());
            map.put("duration_s", m.duration());
            maps.add(map);
        }
        return maps;
    }
}
