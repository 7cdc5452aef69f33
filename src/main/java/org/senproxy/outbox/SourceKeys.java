package org.senproxy.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.senproxy.db.Times;
import org.senproxy.senml.Measurement;
import org.senproxy.senml.Senml;

/**
 * A source record's identity is its source (the connector's route id), its name and its time: the same record polled
 * twice by overlapping windows, re-read after a crash or delivered by MQTT to two replicas is the same key. The keys
 * already taken are in table {@code source_record}; an append takes its poll's keys in one statement, in its own
 * transaction, and keeps only the records whose key was new. Each key keeps its record (resolved SenML JSON): the
 * stored series that Quoalise's get_history answers from.
 *
 * <p>Two appends of one key at the same time (two replicas) meet on the table's primary key: the second insert waits
 * for the first transaction, then finds the key taken (or takes it, if the first rolled back). Keys are inserted in
 * key order, so two appends with several keys in common always lock them in the same order and cannot deadlock.
 */
final class SourceKeys {

    /**
     * Takes the keys, holding the source's shared advisory lock from then until the append commits: a consumer's
     * {@link CatchUp} takes the exclusive one, so it never runs while an append of the source is between its keys and
     * its commit. In the same statement, not one round trip more.
     */
    private static final String TAKE = "INSERT INTO source_record (source, name, time_us, record)"
            + " SELECT ?, k.name, k.time_us, k.record"
            + " FROM unnest(?::text[], ?::bigint[], ?::text[]) AS k(name, time_us, record),"
            + "  (SELECT pg_advisory_xact_lock_shared(" + CatchUp.SOURCE_LOCKS + ", hashtext(?))) AS held"
            + " ORDER BY k.name, k.time_us"
            + " ON CONFLICT DO NOTHING RETURNING name, time_us";

    /** A record's natural key within its source. */
    record Key(String name, long timeMicros) {
    }

    private SourceKeys() {
    }

    /** A record's key: its name and its time in whole microseconds, the precision of {@link Measurement#instant()}. */
    static Key key(Measurement m) {
        return new Key(m.name(), Times.micros(m.instant()));
    }


    /**
     * Takes the keys of {@code records} for {@code source}, in the caller's transaction, and returns the records whose
     * key was free: in their order, the first one only of records that share a key. One statement whatever the number
     * of records.
     */
    static List<Measurement> takeNew(Connection c, String source, List<Measurement> records) throws SQLException {
        if (records.isEmpty()) {
            return records;
        }
        Map<Key, Measurement> first = new LinkedHashMap<>();
        for (Measurement m : records) {
            first.putIfAbsent(key(m), m);
        }
        String[] names = new String[first.size()];
        Long[] times = new Long[first.size()];
        String[] texts = new String[first.size()];
        int i = 0;
        for (Map.Entry<Key, Measurement> e : first.entrySet()) {
            names[i] = e.getKey().name();
            times[i] = e.getKey().timeMicros();
            texts[i++] = Senml.toJson(Senml.fromMeasurements(List.of(e.getValue())));
        }
        Set<Key> taken = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(TAKE)) {
            ps.setString(1, source);
            ps.setArray(2, c.createArrayOf("text", names));
            ps.setArray(3, c.createArrayOf("bigint", times));
            ps.setArray(4, c.createArrayOf("text", texts));
            ps.setString(5, source);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    taken.add(new Key(rs.getString(1), rs.getLong(2)));
                }
            }
        }
        if (taken.size() == records.size()) {
            return records;
        }
        List<Measurement> fresh = new ArrayList<>(taken.size());
        for (Map.Entry<Key, Measurement> e : first.entrySet()) {
            if (taken.contains(e.getKey())) {
                fresh.add(e.getValue());
            }
        }
        return fresh;
    }
}
