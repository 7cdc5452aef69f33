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
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.ECKey;
import org.senproxy.db.Sql;
import org.senproxy.db.Transactions;

/**
 * The audit trail: an append-only, hash-chained table ({@code audit_log}) of every authorization change and every
 * transfer. Each row's {@code hash} is the SHA-256 of the previous row's hash and of the row's own fields (sequence,
 * time, kind, actor, data owner, consent, detail, signature), written as one JSON array so no two rows can read alike.
 * Changing a row breaks its own hash; removing one breaks the next row's link; {@link #verify} names the first row
 * where the chain does not hold.
 *
 * <p>The hash has no secret: whoever can write the table can re-hash everything after a change. What they cannot
 * make is a <em>checkpoint</em> ({@value #CHECKPOINT}): an entry signed by the proxy's own key (never in the database)
 * naming the entry before it, seq and hash. Re-hashing after a change breaks every later checkpoint. The retention
 * routine ({@link #prune}) writes one naming the anchor it leaves and the first entry it keeps, so that cutting the
 * oldest entries and moving the anchor by hand is seen; {@link #checkpoint} writes one periodically. What happened
 * after the newest checkpoint, and a rewrite that also removes every checkpoint after the change, is seen only against
 * a head kept outside the database ({@link #verify(Head)}).
 *
 * <p>Appends are serialized by a transaction-scoped advisory lock, so replicas of one proxy share one chain. The lock
 * is held until the caller's transaction ends: an entry commits or rolls back with the change it records.
 *
 * <p>Triggers refuse updates, and deletes other than up to what the newest prune checkpoint names, and an anchor
 * other than the one it names (V14); the database's owner can drop them: they are a hurdle, detection is the defence.
 */
public class AuditTrail {

    /** The hash before the first row. */
    public static final String GENESIS = "0".repeat(64);
    /** The kind of the proxy's signed checkpoints. */
    public static final String CHECKPOINT = "audit.checkpoint";
    /** The kind of a signer key's registration ({@link SignerKeys}). */
    public static final String SIGNER_TRUSTED = "signer.trusted";
    /** The actor of checkpoints. */
    public static final String PROXY_ACTOR = "sen-proxy";

    private static final long LOCK = 0x53454e5f41554454L; // "SEN_AUDT"
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, Object>> DETAIL = new TypeReference<>() {};

    private static final Sql LOCK_CHAIN = Sql.of(AuditTrail.class, "audit-lock");
    private static final Sql NEXT_SEQS = Sql.of(AuditTrail.class, "audit-next-seqs");
    private static final Sql INSERT = Sql.of(AuditTrail.class, "audit-insert");
    private static final Sql HEAD = Sql.of(AuditTrail.class, "audit-head");
    private static final Sql ANCHOR = Sql.of(AuditTrail.class, "audit-anchor");
    private static final Sql NEWEST_KIND = Sql.of(AuditTrail.class, "audit-newest-kind");
    private static final Sql FIRST_SEQ = Sql.of(AuditTrail.class, "audit-first-seq");
    private static final Sql OWN_KEYS = Sql.of(AuditTrail.class, "audit-own-keys");
    private static final Sql NEWEST_PRUNE_CHECKPOINT = Sql.of(AuditTrail.class, "audit-newest-prune-checkpoint");
    private static final Sql SIGNERS = Sql.of(AuditTrail.class, "audit-signers");
    private static final Sql CHAIN = Sql.of(AuditTrail.class, "audit-chain");
    private static final Sql PRUNE_LAST = Sql.of(AuditTrail.class, "audit-prune-last");
    private static final Sql FIRST_AFTER = Sql.of(AuditTrail.class, "audit-first-after");
    private static final Sql PRUNE = Sql.of(AuditTrail.class, "audit-prune");
    private static final Sql ANCHOR_WRITE = Sql.of(AuditTrail.class, "audit-anchor-write");
    private static final Sql EXPORT = Sql.of(AuditTrail.class, "audit-export");

    private final DataSource dataSource;
    private final Clock clock;
    private volatile Supplier<ECKey> signingKey;
    private final Map<String, ECKey> proxyKeys = new ConcurrentHashMap<>();

    /** A trail that writes no checkpoints and knows no proxy key (a chain holding a checkpoint does not verify). */
    public AuditTrail(DataSource dataSource, Clock clock) {
        this(dataSource, clock, null, List.of());
    }

    /**
     * @param signingKey  the proxy's private key, which signs checkpoints (null: none written, nothing pruned)
     * @param earlierKeys public keys the proxy signed checkpoints with before (after a rotation of its key)
     */
    public AuditTrail(DataSource dataSource, Clock clock, ECKey signingKey, List<ECKey> earlierKeys) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.signingKey = () -> signingKey;
        if (signingKey != null) {
            proxyKeys.put(SignerKeys.thumbprint(signingKey), signingKey.toPublicJWK());
        }
        for (ECKey k : earlierKeys) {
            proxyKeys.put(SignerKeys.thumbprint(k), k.toPublicJWK());
        }
    }

    /**
     * Signs checkpoints with the key {@code current} gives at each one: the proxy's active key, which a rotation
     * changes ({@code keys rotate}). Verifying, the trail also knows every key of the proxy's own (table
     * {@code own_key}: active, retired, revoked), so checkpoints signed before a rotation still verify.
     */
    public AuditTrail signingWith(Supplier<ECKey> current) {
        this.signingKey = current;
        return this;
    }

    /** Whether this trail signs checkpoints (the proxy's key is set). */
    public boolean signsCheckpoints() {
        return signingKey.get() != null;
    }

    /** The key that signs a checkpoint now, known for verifying from then on; null: none. */
    private ECKey checkpointKey() {
        ECKey key = signingKey.get();
        if (key != null) {
            proxyKeys.putIfAbsent(SignerKeys.thumbprint(key), key.toPublicJWK());
        }
        return key;
    }

    /** Appends in a transaction of its own. */
    public void append(List<AuditEvent> events) throws SQLException {
        if (events.isEmpty()) {
            return;
        }
        Transactions.inTransaction(dataSource, c -> {
            append(c, events);
            return null;
        });
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
        lock(c);
        append(c, events, nextSeqs(c, events.size()));
    }

    private static void lock(Connection c) throws SQLException {
        LOCK_CHAIN.execute(c, LOCK_CHAIN.params().set("lock", LOCK));
    }

    private static long[] nextSeqs(Connection c, int n) throws SQLException {
        long[] seqs = NEXT_SEQS.query(c, NEXT_SEQS.params().set("count", n), rs -> rs.getLong(1)).stream()
                .mapToLong(Long::longValue)
                .toArray();
        Arrays.sort(seqs);
        return seqs;
    }

    /** Appends under the lock, with seqs taken already. */
    private void append(Connection c, List<AuditEvent> events, long[] seqs) throws SQLException {
        String previous = head(c).hash();
        Instant at = clock.instant().truncatedTo(ChronoUnit.MICROS);
        List<Integer> order = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            order.add(i);
        }
        String[] chained = {previous};
        INSERT.batch(c, order, (i, p) -> {
            AuditEvent e = events.get(i);
            String detail = detailJson(e.detail());
            // as the uuid column gives it back
            String consent = e.consentRef() == null
                    ? null
                    : UUID.fromString(e.consentRef()).toString();
            String hash =
                    hash(chained[0], seqs[i], at, e.kind(), e.actor(), e.userRef(), consent, detail, e.signature());
            p.set("seq", seqs[i])
                    .set("at", OffsetDateTime.ofInstant(at, ZoneOffset.UTC))
                    .text("kind", e.kind())
                    .text("actor", e.actor())
                    .text("user_ref", e.userRef())
                    .set("consent_ref", consent == null ? null : UUID.fromString(consent))
                    .text("detail", detail)
                    .text("signature", e.signature())
                    .text("prev_hash", chained[0])
                    .text("hash", hash);
            chained[0] = hash;
        });
    }

    /**
     * An entry of the chain as an operator keeps it outside the database ({@code SEQ:HASH}). The head of an empty
     * chain is seq 0 with the anchor's hash.
     */
    public record Head(long seq, String hash) {

        public static Head parse(String text) {
            int colon = text.indexOf(':');
            if (colon < 1 || !text.substring(colon + 1).matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("'" + text + "' is not a head SEQ:HASH (as audit head prints it)");
            }
            try {
                return new Head(Long.parseLong(text.substring(0, colon)), text.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not a head SEQ:HASH (as audit head prints it)");
            }
        }

        @Override
        public String toString() {
            return seq + ":" + hash;
        }
    }

    /** The newest entry, to keep outside the database. */
    public Head head() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return head(c);
        }
    }

    /** The entry the next row chains to: the last row, else the anchor left by pruning, else {@link #GENESIS}. */
    private static Head head(Connection c) throws SQLException {
        Head head = HEAD.one(c, HEAD.params(), rs -> new Head(rs.getLong(1), rs.getString(2)));
        return head != null ? head : new Head(0, anchor(c));
    }

    private static String anchor(Connection c) throws SQLException {
        String anchor = ANCHOR.one(c, ANCHOR.params(), rs -> rs.getString(1));
        return anchor != null ? anchor : GENESIS;
    }

    /**
     * Appends a checkpoint signed by the proxy's key that names the newest entry, when entries came since the last
     * one (the audit-checkpoint route, every {@code senproxy.audit.checkpoint-interval-minutes}).
     *
     * @return the entry covered, or null when nothing was written (no key, nothing new)
     */
    public Head checkpoint() throws SQLException {
        ECKey key = checkpointKey();
        if (key == null) {
            return null;
        }
        // nothing to cover: the transaction ends having written nothing (its lock goes with it)
        return Transactions.inTransaction(dataSource, c -> {
            lock(c);
            Head head = head(c);
            boolean covered = head.seq() == 0
                    || CHECKPOINT.equals(NEWEST_KIND.one(c, NEWEST_KIND.params(), rs -> rs.getString(1)));
            if (covered) {
                return null;
            }
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("covers_seq", head.seq());
            detail.put("covers_hash", head.hash());
            append(c, List.of(signedCheckpoint(key, detail)), nextSeqs(c, 1));
            return head;
        });
    }

    private static AuditEvent signedCheckpoint(ECKey key, Map<String, Object> detail) {
        return new AuditEvent(
                CHECKPOINT, PROXY_ACTOR, null, null, detail, ChangeSignatures.signCheckpoint(key, detailJson(detail)));
    }

    /**
     * What {@link #verify} found. {@code brokenAt} is null when the whole chain holds; {@code checkpointSeq} is the
     * newest signed checkpoint (null: none); {@code note} says what was not checked, or null.
     */
    public record Verification(
            long rows, Long brokenAt, String problem, String headHash, long headSeq, Long checkpointSeq, String note) {

        public boolean intact() {
            return brokenAt == null;
        }

        static Verification broken(long rows, long at, String problem) {
            return new Verification(rows, at, problem, null, 0, null, null);
        }
    }

    /** A signer key as the trail registered it. */
    record Registered(ECKey key, Instant validFrom, Instant validUntil, Map<String, Object> asDetail) {

        boolean validAt(Instant t) {
            return !t.isBefore(validFrom) && (validUntil == null || t.isBefore(validUntil));
        }
    }

    /** A verification with the signer keys it found, for the checkpoint of a prune. */
    private record Walk(Verification verification, Map<String, Map<String, Registered>> signers, long firstSeq) {}

    /**
     * Walks the chain from its anchor: each row must link to the previous row's hash and hash to its own; a
     * checkpoint must be signed by one of the proxy's keys over the entry before it; a change must be signed by a key
     * registered for its actor ({@link SignerKeys}) and valid at its time; and an anchor other than {@link #GENESIS}
     * must be the one the newest prune checkpoint names, with the first entry it kept. Stops at the first row that
     * fails.
     */
    public Verification verify() throws SQLException {
        return verify(null);
    }

    /**
     * Same, and checks that {@code kept}, a head kept outside the database, is still in the chain with its hash: the
     * entries up to it cannot have been removed nor rewritten since. A head older than what retention pruned cannot be
     * checked (said in the note).
     */
    public Verification verify(Head kept) throws SQLException {
        // in a transaction: a cursor, the table is read in pages, not at once; nothing is written
        return Transactions.inTransaction(dataSource, c -> walk(c, kept).verification());
    }

    private Walk walk(Connection c, Head kept) throws SQLException {
        ownKeys(c);
        String anchor = anchor(c);
        Map<String, Map<String, Registered>> signers = new LinkedHashMap<>();
        Long oldest = FIRST_SEQ.one(c, FIRST_SEQ.params(), rs -> rs.getObject(1) == null ? null : rs.getLong(1));
        long first = oldest == null ? -1 : oldest;
        long prunedThrough = 0;
        try (PreparedStatement ps = NEWEST_PRUNE_CHECKPOINT.prepare(c, NEWEST_PRUNE_CHECKPOINT.params());
                ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
                long seq = rs.getLong(1);
                String detailJson = rs.getString(2);
                String problem = checkpointSignature(rs.getString(3), detailJson);
                if (problem != null) {
                    return new Walk(Verification.broken(0, seq, "checkpoint: " + problem), signers, first);
                }
                Map<String, Object> detail = detailOf(detailJson);
                prunedThrough = ((Number) detail.get("prune_through")).longValue();
                if (!anchor.equals(detail.get("anchor")) || first != ((Number) detail.get("first_kept")).longValue()) {
                    return new Walk(
                            Verification.broken(
                                    0,
                                    first,
                                    "truncated: the anchor " + anchor
                                            + " and first entry are not those the newest signed checkpoint (entry "
                                            + seq + ") left"
                                            + " (it names " + detail.get("anchor") + ", first entry "
                                            + detail.get("first_kept")
                                            + "): entries were removed outside the audit retention"),
                            signers,
                            first);
                }
                Object listed = detail.get("signers");
                if (listed instanceof List<?> list) {
                    for (Object one : list) {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> registration = (Map<String, Object>) one;
                        register(signers, registration);
                    }
                }
            } else if (!GENESIS.equals(anchor)) {
                return new Walk(
                        Verification.broken(
                                0,
                                first,
                                "truncated: no signed checkpoint covers the anchor "
                                        + anchor + " (entries before " + (first < 0 ? "the head" : "entry " + first)
                                        + " were removed"
                                        + " outside the audit retention)"),
                        signers,
                        first);
            }
        }
        try (PreparedStatement ps = SIGNERS.prepare(c, SIGNERS.params());
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                try {
                    register(signers, detailOf(rs.getString(1)));
                } catch (RuntimeException unreadable) {
                    // the walk below says what is wrong with that entry
                }
            }
        }
        try (PreparedStatement s = CHAIN.prepare(c, CHAIN.params())) {
            s.setFetchSize(1000);
            String expected = anchor;
            long previousSeq = prunedThrough;
            long rows = 0;
            Long checkpoint = null;
            boolean keptFound = false;
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    long seq = rs.getLong(1);
                    Instant at = rs.getObject(2, OffsetDateTime.class).toInstant();
                    String kind = rs.getString(3);
                    String actor = rs.getString(4);
                    String detail = rs.getString(7);
                    String signature = rs.getString(8);
                    if (!expected.equals(rs.getString(9))) {
                        return new Walk(
                                Verification.broken(
                                        rows,
                                        seq,
                                        "does not link to the row before it (a row"
                                                + " before it was removed or changed)"),
                                signers,
                                first);
                    }
                    String hash =
                            hash(expected, seq, at, kind, actor, rs.getString(5), rs.getString(6), detail, signature);
                    if (!hash.equals(rs.getString(10))) {
                        return new Walk(
                                Verification.broken(
                                        rows, seq, "its content does not match its hash (the row" + " was changed)"),
                                signers,
                                first);
                    }
                    String problem = CHECKPOINT.equals(kind)
                            ? checkpointProblem(signature, detail, previousSeq, expected)
                            : signature != null ? changeProblem(signers, actor, at, signature, detail) : null;
                    if (problem != null) {
                        return new Walk(Verification.broken(rows, seq, problem), signers, first);
                    }
                    if (CHECKPOINT.equals(kind)) {
                        checkpoint = seq;
                    }
                    if (kept != null && kept.seq() == seq) {
                        if (!kept.hash().equals(hash)) {
                            return new Walk(
                                    Verification.broken(
                                            rows,
                                            seq,
                                            "its hash is not the head kept outside (" + kept
                                                    + "): the chain up to it was rewritten"),
                                    signers,
                                    first);
                        }
                        keptFound = true;
                    }
                    expected = hash;
                    previousSeq = seq;
                    rows++;
                }
            }
            String note = null;
            if (kept != null && !keptFound) {
                if (kept.seq() <= prunedThrough) {
                    note = "the head kept outside (" + kept + ") is in the part the audit retention pruned: not"
                            + " checked; keep newer heads";
                } else {
                    return new Walk(
                            Verification.broken(
                                    rows,
                                    kept.seq(),
                                    "the head kept outside (" + kept + ") is"
                                            + " no longer in the chain: entries were removed (the newest is "
                                            + previousSeq + ")"),
                            signers,
                            first);
                }
            }
            return new Walk(
                    new Verification(rows, null, null, expected, previousSeq, checkpoint, note), signers, first);
        }
    }

    /** The proxy's own keys recorded by key rotations (public halves), known for verifying checkpoints. */
    private void ownKeys(Connection c) throws SQLException {
        for (String jwk : OWN_KEYS.query(c, OWN_KEYS.params(), rs -> rs.getString(1))) {
            try {
                ECKey key = ECKey.parse(jwk);
                proxyKeys.putIfAbsent(SignerKeys.thumbprint(key), key.toPublicJWK());
            } catch (java.text.ParseException unreadable) {
                // a row that is not a key signs nothing: a checkpoint naming it is reported as signed by an unknown key
            }
        }
    }

    private String checkpointSignature(String signature, String detailJson) {
        if (signature == null) {
            return "not signed";
        }
        String kid = ChangeSignatures.signer(signature);
        ECKey key = kid == null ? null : proxyKeys.get(kid);
        if (key == null) {
            return "signed by a key this proxy does not know (kid " + kid + "; the proxy's keys: senproxy.signing"
                    + ".key-file and senproxy.audit.trusted-key-files, or --proxy-key)";
        }
        return ChangeSignatures.problem(signature, detailJson, key);
    }

    private String checkpointProblem(String signature, String detailJson, long previousSeq, String previousHash) {
        String problem = checkpointSignature(signature, detailJson);
        if (problem != null) {
            return "checkpoint: " + problem;
        }
        Map<String, Object> detail = detailOf(detailJson);
        Object seq = detail.get("covers_seq");
        if (!previousHash.equals(detail.get("covers_hash"))
                || !(seq instanceof Number n)
                || n.longValue() != previousSeq) {
            return "the entries before this signed checkpoint are not those it covers (it names entry " + seq + ", "
                    + detail.get("covers_hash") + "): an earlier entry was changed or removed and the chain"
                    + " re-hashed";
        }
        return null;
    }

    private static String changeProblem(
            Map<String, Map<String, Registered>> signers, String actor, Instant at, String signature, String detail) {
        String kid = ChangeSignatures.signer(signature);
        Registered key =
                kid == null ? null : signers.getOrDefault(actor, Map.of()).get(kid);
        if (key == null) {
            return "signed by an unregistered key (kid " + kid + " is not registered for " + actor + ": sen-proxy keys"
                    + " trust)";
        }
        if (!key.validAt(at)) {
            return "signed by " + actor + "'s key " + kid + " outside its validity (" + key.validFrom() + " .. "
                    + (key.validUntil() == null ? "" : key.validUntil()) + ")";
        }
        String problem = ChangeSignatures.problem(signature, detail, key.key());
        return problem == null ? null : "signature: " + problem;
    }

    @SuppressWarnings("unchecked")
    private static void register(Map<String, Map<String, Registered>> signers, Map<String, Object> detail) {
        try {
            ECKey key = ECKey.parse((Map<String, Object>) detail.get("jwk"));
            String kid = SignerKeys.thumbprint(key);
            Object until = detail.get("valid_until");
            signers.computeIfAbsent((String) detail.get("actor"), a -> new LinkedHashMap<>())
                    .put(
                            kid,
                            new Registered(
                                    key,
                                    Instant.parse((String) detail.get("valid_from")),
                                    until == null ? null : Instant.parse((String) until),
                                    detail));
        } catch (java.text.ParseException | RuntimeException e) {
            throw new IllegalArgumentException("unreadable signer registration: " + e.getMessage(), e);
        }
    }

    /**
     * Removes the entries older than {@code before}, oldest first, under a checkpoint signed by the proxy's key that
     * names the entry they end at, the anchor they leave (that entry's hash) and the first entry kept, with the signer
     * keys registered so far (their registrations may be among the entries removed). The chain is verified first: a
     * broken chain is not pruned (its evidence stays). One transaction.
     *
     * @return the number of entries removed
     * @throws IllegalStateException without the proxy's key, or when the chain does not verify
     */
    public int prune(Instant before) throws SQLException {
        ECKey key = checkpointKey();
        if (key == null) {
            throw new IllegalStateException("the audit trail is pruned only under a checkpoint signed by the proxy's"
                    + " key: set senproxy.signing.key-file");
        }
        return Transactions.inTransaction(dataSource, c -> {
            lock(c);
            Head end = PRUNE_LAST.one(
                    c,
                    PRUNE_LAST.params().set("before", OffsetDateTime.ofInstant(before, ZoneOffset.UTC)),
                    rs -> new Head(rs.getLong(1), rs.getString(2)));
            if (end == null) {
                return 0; // nothing that old: the transaction ends having written nothing
            }
            long last = end.seq();
            String anchor = end.hash();
            Walk walk = walk(c, null);
            Verification v = walk.verification();
            if (!v.intact()) {
                throw new IllegalStateException("the audit trail is broken at entry " + v.brokenAt() + " ("
                        + v.problem() + "): nothing pruned, the evidence stays");
            }
            long seq = nextSeqs(c, 1)[0];
            Long kept = FIRST_AFTER.one(
                    c, FIRST_AFTER.params().set("seq", last), rs -> rs.getObject(1) == null ? null : rs.getLong(1));
            long firstKept = kept == null ? seq : kept;
            List<Map<String, Object>> signers = new ArrayList<>();
            walk.signers().values().forEach(keys -> keys.values().forEach(k -> signers.add(k.asDetail())));
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("covers_seq", v.headSeq());
            detail.put("covers_hash", v.headHash());
            detail.put("prune_through", last);
            detail.put("anchor", anchor);
            detail.put("first_kept", firstKept);
            detail.put("signers", signers);
            append(c, List.of(signedCheckpoint(key, detail)), new long[] {seq});
            int removed = PRUNE.update(c, PRUNE.params().set("seq", last));
            ANCHOR_WRITE.update(c, ANCHOR_WRITE.params().text("anchor", anchor));
            return removed;
        });
    }

    /**
     * Writes the entries about one data owner (or one consent, or all when both are null) as JSON lines, oldest first:
     * what a data owner gets for an access request (GDPR art. 15).
     *
     * @return the number of lines written
     */
    public long export(Writer out, String userRef, String consentRef) throws SQLException, IOException {
        // in a transaction: a cursor, the table is read in pages, not at once; nothing is written
        long lines = Transactions.<Long, IOException>inTransaction(dataSource, c -> {
            long written = 0;
            try (PreparedStatement ps =
                    EXPORT.prepare(c, EXPORT.params().text("user_ref", userRef).text("consent_ref", consentRef))) {
                ps.setFetchSize(1000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Map<String, Object> line = new LinkedHashMap<>();
                        line.put("seq", rs.getLong(1));
                        line.put(
                                "at",
                                rs.getObject(2, OffsetDateTime.class)
                                        .toInstant()
                                        .toString());
                        line.put("kind", rs.getString(3));
                        line.put("actor", rs.getString(4));
                        line.put("user", rs.getString(5));
                        line.put("consent", rs.getString(6));
                        line.put("detail", JSON.readTree(rs.getString(7)));
                        line.put("signature", rs.getString(8));
                        line.put("hash", rs.getString(9));
                        out.write(JSON.writeValueAsString(line));
                        out.write('\n');
                        written++;
                    }
                }
            }
            return written;
        });
        out.flush();
        return lines;
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

    static String hash(
            String previous,
            long seq,
            Instant at,
            String kind,
            String actor,
            String userRef,
            String consentRef,
            String detail,
            String signature) {
        List<Object> fields = new ArrayList<>(
                Arrays.asList(previous, seq, at.toString(), kind, actor, userRef, consentRef, detail, signature));
        try {
            byte[] canonical = JSON.writeValueAsString(fields).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot hash an audit entry", e);
        }
    }
}
