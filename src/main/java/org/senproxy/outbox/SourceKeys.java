package org.senproxy.outbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.senproxy.db.Sql;
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
    /** Takes the keys and the source's shared advisory lock, in one statement (see the file). */
    private static final Sql TAKE = Sql.of(SourceKeys.class, "take-keys");

    /** A record's natural key within its source. */
    record Key(String name, long timeMicros) {}

    private SourceKeys() {}

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
        taken.addAll(TAKE.query(
                c,
                TAKE.params()
                        .set("source", source)
                        .array("names", "text", names)
                        .array("times_us", "bigint", times)
                        .array("records", "text", texts)
                        .set("lock_space", CatchUp.SOURCE_LOCKS),
                rs -> new Key(rs.getString(1), rs.getLong(2))));
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
