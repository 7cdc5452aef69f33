package org.senproxy.outbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import org.senproxy.senml.Measurement;

/** For the benchmark's database ceiling (org.senproxy.bench.RowsBaseline): the source keys' own statement. */
public final class SourceKeysAccess {

    private SourceKeysAccess() {}

    public static List<Measurement> takeNew(Connection c, String source, List<Measurement> records)
            throws SQLException {
        return SourceKeys.takeNew(c, source, records);
    }
}
