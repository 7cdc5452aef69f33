package org.senproxy.outbox;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    private static final String LAST = "SELECT name, value, time FROM index_state WHERE source = ? AND name = ANY(?)";
    private static final String KEEP = "INSERT INTO index_state (source, name, value, time) VALUES (?, ?, ?, ?)"
            + " ON CONFLICT (source, name) DO UPDATE SET value = excluded.value, time = excluded.time"
            + " WHERE excluded.time >= index_state.time";

    private record Reading(double value, double time) {
    }

    private IndexResets() {
    }

    /**
     * The records with a reset record after each index reading lower than the previous one; the newest reading of
     * each index series is kept for the next poll. One query and one batch, in the caller's transaction.
     *
     * @param records resolved records, in chronological order
     */
    static List<Measurement> flag(Connection c, String source, List<Measurement> records) throws SQLException {
        Map<String, Reading> last = new HashMap<>();
        List<String> names = records.stream().filter(IndexResets::isIndex).map(Measurement::name).distinct().toList();
        if (names.isEmpty()) {
            return records;
        }
        try (PreparedStatement ps = c.prepareStatement(LAST)) {
            Array array = c.createArrayOf("text", names.toArray());
            ps.setString(1, source);
            ps.setArray(2, array);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    last.put(rs.getString(1), new Reading(rs.getDouble(2), rs.getDouble(3)));
                }
            }
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
        try (PreparedStatement ps = c.prepareStatement(KEEP)) {
            for (Map.Entry<String, Reading> e : newest.entrySet()) {
                ps.setString(1, source);
                ps.setString(2, e.getKey());
                ps.setDouble(3, e.getValue().value());
                ps.setDouble(4, e.getValue().time());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        return flagged;
    }

    private static boolean isIndex(Measurement m) {
        return m.value() != null && m.name().endsWith(SUFFIX);
    }
}
