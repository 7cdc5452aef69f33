package org.senproxy.observe;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

import javax.sql.DataSource;

import org.senproxy.db.Sql;

/**
 * When each source connector last entered something new into the outbox, read from the keys of new records
 * ({@code source_record.taken_at}, written by outbox-append in the transaction of the records): so every replica sees
 * the polls of the whole cluster, whichever replica ran them, and a restart forgets nothing. A record read again takes
 * no key, so it does not count as new.
 *
 * <p>One statement per call, over the keys taken since {@code since} only (BRIN index {@code source_record_taken}):
 * the caller asks for what is newer than its previous call, so each check reads a few minutes of keys, not the stale
 * window (only the first check after start-up reads the longest stale window, once).
 */
final class SourceFreshness {

    private static final Sql NEWEST = Sql.of(SourceFreshness.class, "source-newest");

    private final DataSource dataSource;

    SourceFreshness(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The newest key taken after {@code since}, by source; sources without one are not in the map. */
    Map<String, Instant> newestSince(Instant since) throws SQLException {
        Map<String, Instant> newest = new HashMap<>();
        try (Connection c = dataSource.getConnection()) {
            for (Map.Entry<String, Instant> source : NEWEST.query(
                    c,
                    NEWEST.params().set("since", OffsetDateTime.ofInstant(since, ZoneOffset.UTC)),
                    rs -> Map.entry(
                            rs.getString(1),
                            rs.getObject(2, OffsetDateTime.class).toInstant()))) {
                newest.put(source.getKey(), source.getValue());
            }
        }
        return newest;
    }
}
