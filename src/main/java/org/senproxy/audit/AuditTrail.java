package org.senproxy.audit;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The audit trail: an append-only, hash-chained table ({@code audit_log}) of every authorization change and every
 * transfer. Each row's {@code hash} is the SHA-256 of the previous row's hash and of the row's own fields (sequence,
 * time, kind, actor, data owner, consent, detail, signature), written as one JSON array so no two rows can read alike.
 * Changing a row breaks its own hash; removing one breaks the next row's link; {@link #verify} names the first row
 * where the chain does not hold.
 *
 * <p>Appends are serialized by a transaction-scoped advisory lock, so replicas of one proxy share one chain. The lock
 * is held until the caller's transaction ends: an entry commits or rolls back with the change it records.
 *
 * <p>A trigger refuses updates and deletes; {@link #prune} is the one way rows go, oldest first, and it keeps the last
 * removed row's hash as the anchor the remaining chain starts from (config key {@code audit.anchor}). Removing the
 * newest rows cannot be seen from the table alone: keep {@link Verification#headHash()} elsewhere to check that.
 */
public class AuditTrail {

    /** The hash before the first row. */
    public static final String GENESIS = "0".repeat(64);

    private static final long LOCK = 0x53454e5f41554454L; // "SEN_AUDT"
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, Object>> DETAIL = new TypeReference<>() { };

    private static final String INSERT = "INSERT INTO audit_log"
            + " (seq, at, kind, actor, user_ref, consent_ref, detail, signature, prev_hash, hash)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private final DataSource dataSource;
    private final Clock clock;

    public AuditTrail(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /** Appends in a transaction of its own. */
    public void append(List<AuditEvent> events) throws SQLException {
        if (events.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                append(c, events);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * Appends in the caller's transaction (the connection must not be in auto-commit): the entries are committed with
     * the change they record, or not at all. Other appenders wait from here to the caller's commit.
     */
    public void append(Connection c, List<AuditEvent> events) throws SQLException {
        if (events.isEmpty()) {
            return;
        }
        if (c.getAutoCommit()) {
            throw new IllegalStateException("audit entries are appended inside a transaction");
        }
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            lock.setLong(1, LOCK);
            lock.execute();
        }
        String previous = head(c);
        long[] seqs = new long[events.size()];
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT nextval(pg_get_serial_sequence('audit_log', 'seq')) FROM generate_series(1, ?)")) {
            ps.setInt(1, events.size());
            try (ResultSet rs = ps.executeQuery()) {
                for (int i = 0; rs.next(); i++) {
                    seqs[i] = rs.getLong(1);
                }
            }
        }
        Arrays.sort(seqs);
        Instant at = clock.instant().truncatedTo(ChronoUnit.MICROS);
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (int i = 0; i < events.size(); i++) {
                AuditEvent e = events.get(i);
                String detail = detailJson(e.detail());
                // as the uuid column gives it back
                String consent = e.consentRef() == null ? null : UUID.fromString(e.consentRef()).toString();
                String hash = hash(previous, seqs[i], at, e.kind(), e.actor(), e.userRef(), consent, detail,
                        e.signature());
                ps.setLong(1, seqs[i]);
                ps.setObject(2, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
                ps.setString(3, e.kind());
                ps.setString(4, e.actor());
                ps.setString(5, e.userRef());
                ps.setObject(6, consent == null ? null : UUID.fromString(consent));
                ps.setString(7, detail);
                ps.setString(8, e.signature());
                ps.setString(9, previous);
                ps.setString(10, hash);
                ps.addBatch();
                previous = hash;
            }
            ps.executeBatch();
        }
    }

    /** The hash the next row chains to: the last row's, else the anchor left by pruning, else {@link #GENESIS}. */
    private static String head(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1")) {
            if (rs.next()) {
                return rs.getString(1);
            }
        }
        return anchor(c);
    }

    private static String anchor(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT value FROM config WHERE key = 'audit.anchor'")) {
            return rs.next() ? rs.getString(1) : GENESIS;
        }
    }

    /** What {@link #verify} found. {@code brokenAt} is null when the whole chain holds. */
    public record Verification(long rows, Long brokenAt, String problem, String headHash) {

        public boolean intact() {
            return brokenAt == null;
        }
    }

    /**
     * Walks the chain from its anchor: each row must link to the previous row's hash and hash to its own, and a
     * signed row's signature must be the actor's over its detail ({@link ChangeSignatures}). Stops at the first row
     * that fails.
     */
    public Verification verify() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false); // a cursor: the table is read in pages, not at once
            try (Statement s = c.createStatement()) {
                s.setFetchSize(1000);
                String expected = anchor(c);
                long rows = 0;
                try (ResultSet rs = s.executeQuery("SELECT seq, at, kind, actor, user_ref, consent_ref::text, detail,"
                        + " signature, prev_hash, hash FROM audit_log ORDER BY seq")) {
                    while (rs.next()) {
                        long seq = rs.getLong(1);
                        Instant at = rs.getObject(2, OffsetDateTime.class).toInstant();
                        String detail = rs.getString(7);
                        String signature = rs.getString(8);
                        if (!expected.equals(rs.getString(9))) {
                            return new Verification(rows, seq, "does not link to the row before it (a row before it"
                                    + " was removed or changed)", null);
                        }
                        String hash = hash(expected, seq, at, rs.getString(3), rs.getString(4), rs.getString(5),
                                rs.getString(6), detail, signature);
                        if (!hash.equals(rs.getString(10))) {
                            return new Verification(rows, seq, "its content does not match its hash (the row was"
                                    + " changed)", null);
                        }
                        if (signature != null) {
                            String problem = ChangeSignatures.problem(signature, detail);
                            if (problem != null) {
                                return new Verification(rows, seq, "signature: " + problem, null);
                            }
                        }
                        expected = hash;
                        rows++;
                    }
                }
                c.commit();
                return new Verification(rows, null, null, expected);
            }
        }
    }

    /**
     * Writes the entries about one data owner (or one consent, or all when both are null) as JSON lines, oldest first:
     * what a data owner gets for an access request (GDPR art. 15).
     *
     * @return the number of lines written
     */
    public long export(Writer out, String userRef, String consentRef) throws SQLException, IOException {
        String sql = "SELECT seq, at, kind, actor, user_ref, consent_ref::text, detail, signature, hash FROM audit_log"
                + " WHERE (?::text IS NULL OR user_ref = ?) AND (?::uuid IS NULL OR consent_ref = ?::uuid)"
                + " ORDER BY seq";
        long lines = 0;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setFetchSize(1000);
                ps.setString(1, userRef);
                ps.setString(2, userRef);
                ps.setString(3, consentRef);
                ps.setString(4, consentRef);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Map<String, Object> line = new LinkedHashMap<>();
                        line.put("seq", rs.getLong(1));
                        line.put("at", rs.getObject(2, OffsetDateTime.class).toInstant().toString());
                        line.put("kind", rs.getString(3));
                        line.put("actor", rs.getString(4));
                        line.put("user", rs.getString(5));
                        line.put("consent", rs.getString(6));
                        line.put("detail", JSON.readTree(rs.getString(7)));
                        line.put("signature", rs.getString(8));
                        line.put("hash", rs.getString(9));
                        out.write(JSON.writeValueAsString(line));
                        out.write('\n');
                        lines++;
                    }
                }
            }
            c.commit();
        }
        out.flush();
        return lines;
    }

    /**
     * Removes the entries older than {@code before}, oldest first, and keeps the hash of the last one removed as the
     * anchor of the remaining chain, in one transaction.
     *
     * @return the number of entries removed
     */
    public int prune(Instant before) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                    lock.setLong(1, LOCK);
                    lock.execute();
                }
                long last;
                String anchor;
                try (PreparedStatement ps = c.prepareStatement("SELECT seq, hash FROM audit_log WHERE seq <="
                        + " (SELECT max(seq) FROM audit_log WHERE at < ?) ORDER BY seq DESC LIMIT 1")) {
                    ps.setObject(1, OffsetDateTime.ofInstant(before, ZoneOffset.UTC));
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            c.rollback();
                            return 0;
                        }
                        last = rs.getLong(1);
                        anchor = rs.getString(2);
                    }
                }
                int removed;
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT set_config('senproxy.audit_prune', 'on', true)");
                }
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM audit_log WHERE seq <= ?")) {
                    ps.setLong(1, last);
                    removed = ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO config (key, value) VALUES"
                        + " ('audit.anchor', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
                        + " updated_at = now()")) {
                    ps.setString(1, anchor);
                    ps.executeUpdate();
                }
                c.commit();
                return removed;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** The detail of an entry exactly as the trail stores it (and as a change's signature covers it). */
    public static String detailJson(Map<String, Object> detail) {
        try {
            return JSON.writeValueAsString(detail == null ? Map.of() : detail);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("audit detail not writable as JSON: " + e.getMessage(), e);
        }
    }

    /**
     * A detail written by {@link #detailJson}, read back in its order: the outbox keeps the description of each message
     * ({@link Transfers#describe}) in its {@code transfer} column, for the entry of the message's outcome.
     */
    public static Map<String, Object> detailOf(String json) {
        try {
            return JSON.readValue(json, DETAIL);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("audit detail is not JSON: " + e.getMessage(), e);
        }
    }

    static String hash(String previous, long seq, Instant at, String kind, String actor, String userRef,
            String consentRef, String detail, String signature) {
        List<Object> fields = new ArrayList<>(Arrays.asList(previous, seq, at.toString(), kind, actor, userRef,
                consentRef, detail, signature));
        try {
            byte[] canonical = JSON.writeValueAsString(fields).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot hash an audit entry", e);
        }
    }
}
