package org.senproxy.observe;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.senproxy.db.Sql;

/**
 * Where a record batch went, read from a proxy's tables: the outbox rows it was sent as, the inbox rows it was
 * received as, and the dead letters it became. A batch is found by its correlation id, by the id of one of its
 * messages, or by one of its records (series name and time). Run it on the sending and the receiving proxy's
 * databases to see both halves of the path; the correlation id and the message ids are the same on both sides.
 */
public final class Trace {

    /** One stop of a batch in one proxy's tables. */
    public record Hop(
            Instant at,
            String proxy,
            String table,
            String messageId,
            String correlationId,
            String peer,
            Integer records,
            String status,
            int attempts,
            String detail) {}

    // each table read by id (:id) or by record (:pattern); the columns are the same in both of a table's files
    private static final Sql OUTBOX_BY_ID = Sql.of(Trace.class, "trace-outbox-by-id");
    private static final Sql INBOX_BY_ID = Sql.of(Trace.class, "trace-inbox-by-id");
    private static final Sql DEAD_LETTER_BY_ID = Sql.of(Trace.class, "trace-dead-letter-by-id");
    /** Payloads are resolved SenML JSON: a record is an object with its absolute name and time. */
    private static final Sql OUTBOX_BY_RECORD = Sql.of(Trace.class, "trace-outbox-by-record");

    private static final Sql INBOX_BY_RECORD = Sql.of(Trace.class, "trace-inbox-by-record");

    private static final ObjectMapper JSON = new ObjectMapper();

    private Trace() {}

    /** The stops of the batch with this correlation id or message id, in time order. */
    public static List<Hop> byId(Connection c, String proxy, String id) throws SQLException {
        List<Hop> hops = new ArrayList<>();
        outbox(c, proxy, OUTBOX_BY_ID, ofId(OUTBOX_BY_ID, id), hops);
        inbox(c, proxy, INBOX_BY_ID, ofId(INBOX_BY_ID, id), hops);
        deadLetters(c, proxy, DEAD_LETTER_BY_ID, ofId(DEAD_LETTER_BY_ID, id), hops);
        hops.sort(Comparator.comparing(Hop::at));
        return hops;
    }

    /**
     * The stops of every batch that carried the record of this series at this time (epoch seconds): the rows
     * holding it, then everything else of their batches. Reads every payload: a support tool, not a hot path.
     */
    public static List<Hop> byRecord(Connection c, String proxy, String series, double time) throws SQLException {
        ObjectNode record = JSON.createObjectNode().put("n", series).put("t", time);
        String pattern = JSON.createArrayNode().add(record).toString();
        List<Hop> holding = new ArrayList<>();
        outbox(c, proxy, OUTBOX_BY_RECORD, OUTBOX_BY_RECORD.params().text("pattern", pattern), holding);
        inbox(c, proxy, INBOX_BY_RECORD, INBOX_BY_RECORD.params().text("pattern", pattern), holding);
        Set<String> correlations = new LinkedHashSet<>();
        holding.forEach(hop -> correlations.add(hop.correlationId()));
        List<Hop> hops = new ArrayList<>();
        for (String correlation : correlations) {
            hops.addAll(byId(c, proxy, correlation));
        }
        hops.sort(Comparator.comparing(Hop::at));
        return hops;
    }

    /** The parameters of a statement by id: the id, matched against both the correlation id and the message id. */
    private static Sql.Params ofId(Sql statement, String id) {
        return statement.params().text("id", id);
    }

    private static void outbox(Connection c, String proxy, Sql sql, Sql.Params params, List<Hop> hops)
            throws SQLException {
        try (PreparedStatement ps = sql.prepare(c, params);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Instant created = instant(rs.getTimestamp(1));
                String status = rs.getString(6);
                String detail = status + " after " + rs.getInt(7) + " attempt(s)"
                        + since(created, rs.getTimestamp(8), "sent") + since(created, rs.getTimestamp(9), "acked")
                        + (rs.getString(10) != null ? "; last error: " + rs.getString(10) : "");
                hops.add(new Hop(
                        created,
                        proxy,
                        "outbox",
                        rs.getString(2),
                        rs.getString(3),
                        "to " + rs.getString(4),
                        rs.getInt(5),
                        status,
                        rs.getInt(7),
                        detail));
            }
        }
    }

    private static void inbox(Connection c, String proxy, Sql sql, Sql.Params params, List<Hop> hops)
            throws SQLException {
        try (PreparedStatement ps = sql.prepare(c, params);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Instant received = instant(rs.getTimestamp(1));
                String status = rs.getString(6);
                String detail = status + " after " + rs.getInt(7) + " delivery attempt(s)"
                        + since(received, rs.getTimestamp(8), "delivered")
                        + (rs.getString(9) != null ? "; last error: " + rs.getString(9) : "");
                hops.add(new Hop(
                        received,
                        proxy,
                        "inbox",
                        rs.getString(2),
                        rs.getString(3),
                        "from " + rs.getString(4),
                        rs.getInt(5),
                        status,
                        rs.getInt(7),
                        detail));
            }
        }
    }

    private static void deadLetters(Connection c, String proxy, Sql sql, Sql.Params params, List<Hop> hops)
            throws SQLException {
        try (PreparedStatement ps = sql.prepare(c, params);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String replayed = rs.getTimestamp(9) == null ? "" : "; replayed " + instant(rs.getTimestamp(9));
                hops.add(new Hop(
                        instant(rs.getTimestamp(1)),
                        proxy,
                        "dead_letter",
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4) == null ? "" : "peer " + rs.getString(4),
                        null,
                        rs.getString(5) + " dead letter",
                        rs.getInt(8),
                        "in route " + rs.getString(6) + ": " + rs.getString(7) + replayed));
            }
        }
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp.toInstant();
    }

    /** ", sent +0.081 s" after the row was created, or nothing when it did not happen. */
    private static String since(Instant start, Timestamp event, String what) {
        if (event == null) {
            return "";
        }
        Duration elapsed = Duration.between(start, event.toInstant());
        return ", " + what + " +" + String.format(java.util.Locale.ROOT, "%.3f", elapsed.toNanos() / 1e9) + " s";
    }
}
