package org.senproxy.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import javax.sql.DataSource;

/**
 * Where incremental source connectors stopped reading (table {@code watermark}). A connector reads its
 * watermark before fetching ({@code watermarks.read(${routeId}, '<start>')}) and puts the next one in the
 * header {@code SenproxyWatermarkNext}; outbox-append stores it with the poll's records, in one transaction.
 */
public class Watermarks {

    /** The header a connector sets to move its watermark when its records enter the outbox. */
    public static final String NEXT_HEADER = "SenproxyWatermarkNext";

    private static final String READ = "SELECT value FROM watermark WHERE source = ?";
    private static final String WRITE = "INSERT INTO watermark (source, value) VALUES (?, ?)"
            + " ON CONFLICT (source) DO UPDATE SET value = excluded.value, updated_at = now()";

    private final DataSource dataSource;

    public Watermarks(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The source's watermark, or {@code initial} before its first successful poll. */
    public String read(String source, String initial) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(READ)) {
            ps.setString(1, source);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : initial;
            }
        }
    }

    static void write(Connection c, String source, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(WRITE)) {
            ps.setString(1, source);
            ps.setString(2, value);
            ps.executeUpdate();
        }
    }
}
