package org.senproxy.outbox;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.senproxy.db.Sql;

/**
 * Where incremental source connectors stopped reading (table {@code watermark}). A connector reads its
 * watermark before fetching ({@code watermarks.read(${routeId}, '<start>')}) and puts the next one in the
 * header {@code SenproxyWatermarkNext}; outbox-append stores it with the poll's records, in one transaction.
 */
public class Watermarks {

    /** The header a connector sets to move its watermark when its records enter the outbox. */
    public static final String NEXT_HEADER = "SenproxyWatermarkNext";

    private static final Sql READ = Sql.of(Watermarks.class, "watermark-read");
    private static final Sql WRITE = Sql.of(Watermarks.class, "watermark-write");

    private final DataSource dataSource;

    public Watermarks(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The source's watermark, or {@code initial} before its first successful poll. */
    public String read(String source, String initial) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            String value = READ.one(c, READ.params().set("source", source), rs -> rs.getString(1));
            return value != null ? value : initial;
        }
    }

    static void write(Connection c, String source, String value) throws SQLException {
        WRITE.update(c, WRITE.params().set("source", source).set("value", value));
    }
}
