package org.senproxy.outbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.senproxy.db.Sql;
import org.senproxy.senml.Measurement;

/**
 * Cumulative indexes (records whose name ends with {@code /index}: an energy meter's Wh, a pulse counter) only grow,
 * except when the meter is replaced or its counter rolls over. A receiver that derives consumption from two readings
 * must not subtract across such a drop. So when a reading is lower than the one before it (in the same poll or the
 * last one seen, kept in table index_state), a record {@code <name>/reset} with {@code vb: true} is added at the
 * reading's time. The index itself is sent unchanged.
 */
final class IndexResets {

    static final String SUFFIX = "/index";
    static final String RESET = "/reset";

    private static final Sql LAST = Sql.of(IndexResets.class, "index-last");
    private static final Sql KEEP = Sql.of(IndexResets.class, "index-keep");

    private record Reading(double value, double time) {}

    private IndexResets() {}

    /**
     * The records with a reset record after each index reading lower than the previous one; the newest reading of
     * each index series is kept for the next poll. One query and one batch, in the caller's transaction.
     *
     * @param records resolved records, in chronological order
     */
    static List<Measurement> flag(Connection c, String source, List<Measurement> records) throws SQLException {
        Map<String, Reading> last = new HashMap<>();
        List<String> names = records.stream()
                .filter(IndexResets::isIndex)
                .map(Measurement::name)
                .distinct()
                .toList();
        if (names.isEmpty()) {
            return records;
        }
        for (Map.Entry<String, Reading> e : LAST.query(
                c,
                LAST.params().set("source", source).array("names", "text", names.toArray()),
                rs -> Map.entry(rs.getString(1), new Reading(rs.getDouble(2), rs.getDouble(3))))) {
            last.put(e.getKey(), e.getValue());
        }
        List<Measurement> flagged = new ArrayList<>(records.size());
        Map<String, Reading> newest = new LinkedHashMap<>();
        for (Measurement m : records) {
            flagged.add(m);
            if (!isIndex(m)) {
                continue;
            }
            Reading before = last.get(m.name());
            if (before != null && m.time() >= before.time() && m.value() < before.value()) {
                flagged.add(new Measurement(m.name() + RESET, null, m.time(), null, null, true, null, null, null));
            }
            if (before == null || m.time() >= before.time()) {
                last.put(m.name(), new Reading(m.value(), m.time()));
                newest.put(m.name(), last.get(m.name()));
            }
        }
        KEEP.batch(
                c,
                newest.entrySet(),
                (e, p) -> p.set("source", source)
                        .set("name", e.getKey())
                        .set("value", e.getValue().value())
                        .set("time", e.getValue().time()));
        return flagged;
    }

    private static boolean isIndex(Measurement m) {
        return m.value() != null && m.name().endsWith(SUFFIX);
    }
}
