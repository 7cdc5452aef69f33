package org.senproxy.delivery;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The dead_letter table: what could not be sent or delivered, with its reason. */
public class DeadLetters {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
    private static final String INSERT = "INSERT INTO dead_letter "
            + "(origin, row_id, message_id, route_id, peer_jid, reason, attempts, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

    private final DataSource dataSource;

    public DeadLetters(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A dead letter of its own: an inbound message that has no inbox row (malformed, unknown sender...). */
    public void recordInbound(String routeId, String peerJid, String messageId, String reason, String rawStanza)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            insert(c, new DeadLetter("inbound", null, messageId, routeId, peerJid, reason, 0, rawStanza));
        }
        LOG.warn("Dead letter from {} (message {}): {}", peerJid, messageId, reason);
    }

    private static void insert(Connection c, DeadLetter letter) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            bind(ps, letter);
            ps.executeUpdate();
        }
    }

    private static void bind(PreparedStatement ps, DeadLetter l) throws SQLException {
        ps.setString(1, l.origin());
        ps.setObject(2, l.rowId());
        ps.setString(3, l.messageId());
        ps.setString(4, l.routeId());
        ps.setString(5, l.peerJid());
        ps.setString(6, truncate(l.reason(), 2000));
        ps.setInt(7, l.attempts());
        ps.setString(8, l.payload());
    }

    static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max) + "...";
    }

    /** A dead letter as listed for operators (without its payload). */
    public record Listed(long id, String origin, String messageId, String correlationId, String routeId,
            String peerJid, String reason, int attempts, Instant createdAt, Instant replayedAt) {
    }

    /** What a replay did. */
    public enum Replay {
        /** The row is pending again: it is sent (outbox) or delivered (inbox) again, with fresh attempts. */
        REPLAYED,
        /** It was replayed before. */
        ALREADY_REPLAYED,
        /** An inbound message that was refused has no row to replay: its sender must send it again. */
        NOT_REPLAYABLE,
        NOT_FOUND
    }

    private static final String LIST = "SELECT id, origin, message_id, correlation_id, route_id, peer_jid, reason,"
            + " attempts, created_at, replayed_at FROM dead_letter WHERE replayed_at IS NULL OR ? ORDER BY id DESC"
            + " LIMIT ?";

    /** The newest dead letters first; replayed ones only when asked. */
    public List<Listed> list(int limit, boolean withReplayed) throws SQLException {
        List<Listed> letters = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(LIST)) {
            ps.setBoolean(1, withReplayed);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Timestamp replayed = rs.getTimestamp(10);
                    letters.add(new Listed(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getString(7), rs.getInt(8),
                            rs.getTimestamp(9).toInstant(), replayed == null ? null : replayed.toInstant()));
                }
            }
        }
        return letters;
    }

    /**
     * Puts the row of a dead letter back in its queue (status pending, attempts from zero, due now) and marks the
     * letter replayed, in one transaction: a replay is idempotent, and the letter stays as the record of what
     * happened.
     */
    public Replay replay(long id) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Replay outcome = replay(c, id);
                c.commit();
                if (outcome == Replay.REPLAYED) {
                    LOG.info("Dead letter {} replayed", id);
                }
                return outcome;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static Replay replay(Connection c, long id) throws SQLException {
        String origin;
        long rowId;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT origin, row_id, replayed_at FROM dead_letter WHERE id = ? FOR UPDATE")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Replay.NOT_FOUND;
                }
                if (rs.getTimestamp(3) != null) {
                    return Replay.ALREADY_REPLAYED;
                }
                origin = rs.getString(1);
                rowId = rs.getLong(2);
                if (rs.wasNull() || !(origin.equals("outbox") || origin.equals("inbox"))) {
                    return Replay.NOT_REPLAYABLE;
                }
            }
        }
        String table = origin.equals("outbox") ? "outbox" : "inbox";
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET status = 'pending', attempts = 0,"
                + " next_attempt_at = now(), last_error = NULL, claimed_by = NULL WHERE id = ? AND status = 'dead'")) {
            ps.setLong(1, rowId);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE dead_letter SET replayed_at = now() WHERE id = ?")) {
            ps.setLong(1, id);
            ps.executeUpdate();
        }
        return Replay.REPLAYED;
    }

    /** Replays every dead letter not replayed yet that has a row; returns how many. */
    public int replayAll() throws SQLException {
        int replayed = 0;
        for (Listed letter : list(Integer.MAX_VALUE, false)) {
            if (replay(letter.id()) == Replay.REPLAYED) {
                replayed++;
            }
        }
        return replayed;
    }

    /** One dead letter. origin: outbox, inbox or inbound. */
    public record DeadLetter(String origin, Long rowId, String messageId, String routeId, String peerJid,
            String reason, int attempts, String payload) {
    }
}
