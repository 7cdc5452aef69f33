package org.senproxy.delivery;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

import javax.sql.DataSource;

import org.senproxy.db.Sql;
import org.senproxy.db.Transactions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The dead_letter table: what could not be sent or delivered, with its reason. */
public class DeadLetters {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
    private static final Sql INSERT = Sql.of(DeadLetters.class, "dead-letter-insert");
    private static final Sql LIST = Sql.of(DeadLetters.class, "dead-letter-list");
    private static final Sql LOCK = Sql.of(DeadLetters.class, "dead-letter-lock");
    private static final Sql REPLAY_OUTBOX = Sql.of(DeadLetters.class, "replay-outbox");
    private static final Sql REPLAY_INBOX = Sql.of(DeadLetters.class, "replay-inbox");
    private static final Sql REPLAYED = Sql.of(DeadLetters.class, "dead-letter-replayed");

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
        INSERT.update(
                c,
                INSERT.params()
                        .text("origin", letter.origin())
                        .set("row_id", letter.rowId())
                        .text("message_id", letter.messageId())
                        .text("route_id", letter.routeId())
                        .text("peer_jid", letter.peerJid())
                        .text("reason", truncate(letter.reason(), 2000))
                        .set("attempts", letter.attempts())
                        .text("payload", letter.payload()));
    }

    static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max) + "...";
    }

    /** A dead letter as listed for operators (without its payload). */
    public record Listed(
            long id,
            String origin,
            String messageId,
            String correlationId,
            String routeId,
            String peerJid,
            String reason,
            int attempts,
            Instant createdAt,
            Instant replayedAt) {}

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

    /** The newest dead letters first; replayed ones only when asked. */
    public List<Listed> list(int limit, boolean withReplayed) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return LIST.query(
                    c, LIST.params().set("with_replayed", withReplayed).set("limit", limit), rs -> {
                        Timestamp replayed = rs.getTimestamp(10);
                        return new Listed(
                                rs.getLong(1),
                                rs.getString(2),
                                rs.getString(3),
                                rs.getString(4),
                                rs.getString(5),
                                rs.getString(6),
                                rs.getString(7),
                                rs.getInt(8),
                                rs.getTimestamp(9).toInstant(),
                                replayed == null ? null : replayed.toInstant());
                    });
        }
    }

    /**
     * Puts the row of a dead letter back in its queue (status pending, attempts from zero, due now) and marks the
     * letter replayed, in one transaction: a replay is idempotent, and the letter stays as the record of what
     * happened.
     */
    public Replay replay(long id) throws SQLException {
        Replay outcome = Transactions.inTransaction(dataSource, c -> replay(c, id));
        if (outcome == Replay.REPLAYED) {
            LOG.info("Dead letter {} replayed", id);
        }
        return outcome;
    }

    private static Replay replay(Connection c, long id) throws SQLException {
        record Letter(String origin, Long rowId, boolean replayed) {}
        Letter letter = LOCK.one(c, LOCK.params().set("id", id), rs -> {
            String origin = rs.getString(1);
            long rowId = rs.getLong(2);
            return new Letter(origin, rs.wasNull() ? null : rowId, rs.getTimestamp(3) != null);
        });
        if (letter == null) {
            return Replay.NOT_FOUND;
        }
        if (letter.replayed()) {
            return Replay.ALREADY_REPLAYED;
        }
        if (letter.rowId() == null
                || !(letter.origin().equals("outbox") || letter.origin().equals("inbox"))) {
            return Replay.NOT_REPLAYABLE;
        }
        Sql again = letter.origin().equals("outbox") ? REPLAY_OUTBOX : REPLAY_INBOX;
        again.update(c, again.params().set("row_id", letter.rowId()));
        REPLAYED.update(c, REPLAYED.params().set("id", id));
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
    public record DeadLetter(
            String origin,
            Long rowId,
            String messageId,
            String routeId,
            String peerJid,
            String reason,
            int attempts,
            String payload) {}
}
