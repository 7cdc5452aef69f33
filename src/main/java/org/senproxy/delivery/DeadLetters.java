package org.senproxy.delivery;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

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

    /** Inserts within the caller's transaction, so the row's status and its dead letter change together. */
    public static void insert(Connection c, DeadLetter letter) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            bind(ps, letter);
            ps.executeUpdate();
        }
    }

    public static void insertBatch(Connection c, Iterable<DeadLetter> letters) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (DeadLetter letter : letters) {
                bind(ps, letter);
                ps.addBatch();
            }
            ps.executeBatch();
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

    /** One dead letter. origin: outbox, inbox or inbound. */
    public record DeadLetter(String origin, Long rowId, String messageId, String routeId, String peerJid,
            String reason, int attempts, String payload) {
    }
}
