package org.senproxy.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.senproxy.testing.TestPostgres;

/** The hash-chained audit trail on a real PostgreSQL: appends, verification, tampering, pruning, export. */
class AuditTrailTest {

    private String database;
    private PGSimpleDataSource db;
    private AuditTrail audit;
    /** The proxy's key, and the trail as the proxy runs it: signing checkpoints, pruning under them. */
    private ECKey proxyKey;

    private AuditTrail signed;
    /** Entries are written at its time: 40 days ago to make them old enough for a 30-day retention. */
    private final MovableClock clock = new MovableClock();

    static final class MovableClock extends Clock {
        private volatile Instant now;

        void daysAgo(int days) {
            now = Instant.now().minus(Duration.ofDays(days));
        }

        void now() {
            now = null;
        }

        @Override
        public Instant instant() {
            return now != null ? now : Instant.now();
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @BeforeEach
    void database() throws Exception {
        database = TestPostgres.newDatabase("audit");
        TestPostgres.migrate(database);
        db = new PGSimpleDataSource();
        db.setUrl(database);
        db.setUser("postgres");
        audit = new AuditTrail(db, clock);
        proxyKey = new ECKeyGenerator(Curve.P_256).generate();
        signed = new AuditTrail(db, clock, proxyKey, List.of());
    }

    private static AuditEvent event(int i, String user) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("message", "m-" + i);
        detail.put("records", i);
        return AuditEvent.of("transfer.acknowledged", "proxy-a@localhost", user, null, detail);
    }

    private void sql(String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    private long seqOf(String message) throws SQLException {
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT seq FROM audit_log WHERE detail LIKE '%\"" + message + "\"%'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void fill(int n) throws SQLException {
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(event(i, i % 2 == 0 ? "owner-even" : "owner-odd"));
        }
        audit.append(events.subList(0, n / 2));
        audit.append(events.subList(n / 2, n));
    }

    @Test
    void anUntouchedChainVerifiesAndEachRowLinksToTheOneBefore() throws Exception {
        fill(10);
        AuditTrail.Verification v = audit.verify();
        assertThat(v.intact()).isTrue();
        assertThat(v.rows()).isEqualTo(10);
        assertThat(v.headHash()).hasSize(64).isNotEqualTo(AuditTrail.GENESIS);
    }

    @Test
    void theTableRefusesUpdatesAndDeletes() throws Exception {
        fill(2);
        assertThatThrownBy(() -> sql("UPDATE audit_log SET actor = 'mallory'"))
                .hasMessageContaining("audit_log is append-only (UPDATE refused)");
        assertThatThrownBy(() -> sql("DELETE FROM audit_log")).hasMessageContaining("append-only (DELETE refused)");
    }

    @Test
    void aChangedRowIsFoundByItsHash() throws Exception {
        fill(6);
        // whoever bypasses the trigger (a superuser) can change a row, but not unseen
        sql(
                "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
                "UPDATE audit_log SET detail = replace(detail, '\"records\":3', '\"records\":30')"
                        + " WHERE detail LIKE '%\"m-3\"%'");
        AuditTrail.Verification v = audit.verify();
        assertThat(v.intact()).isFalse();
        assertThat(v.brokenAt()).isEqualTo(seqOf("m-3"));
        assertThat(v.rows()).isEqualTo(3);
        assertThat(v.problem()).contains("does not match its hash");
    }

    @Test
    void aRemovedRowIsFoundAtTheNextOnesLink() throws Exception {
        fill(6);
        long next = seqOf("m-3");
        sql(
                "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
                "DELETE FROM audit_log WHERE detail LIKE '%\"m-2\"%'");
        AuditTrail.Verification v = audit.verify();
        assertThat(v.brokenAt()).isEqualTo(next);
        assertThat(v.problem()).contains("does not link to the row before it");
    }

    @Test
    void aRowRehashedAfterAChangeStillBreaksTheNextLink() throws Exception {
        fill(4);
        // a forger who changes a row and recomputes its hash must recompute every later row too
        long seq = seqOf("m-1");
        sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only");
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT at, prev_hash FROM audit_log WHERE seq = " + seq)) {
            rs.next();
            Instant at = rs.getObject(1, java.time.OffsetDateTime.class).toInstant();
            String detail = "{\"message\":\"m-1\",\"records\":100}";
            String forged = AuditTrail.hash(
                    rs.getString(2),
                    seq,
                    at,
                    "transfer.acknowledged",
                    "proxy-a@localhost",
                    "owner-odd",
                    null,
                    detail,
                    null);
            sql("UPDATE audit_log SET detail = '" + detail + "', hash = '" + forged + "' WHERE seq = " + seq);
        }
        AuditTrail.Verification v = audit.verify();
        assertThat(v.brokenAt()).isEqualTo(seqOf("m-2"));
    }

    @Test
    void aForgedChangeSignatureIsFound() throws Exception {
        ECKey alice = new ECKeyGenerator(Curve.P_256).generate();
        new SignerKeys(db, audit, Clock.systemUTC()).trust("alice", alice.toPublicJWK(), null, null, "root");
        Map<String, Object> detail = new LinkedHashMap<>(Map.of("action", "grant"));
        String json = AuditTrail.detailJson(detail);
        audit.append(List.of(
                new AuditEvent("consent.granted", "alice", "owner", null, detail, ChangeSignatures.sign(alice, json))));
        assertThat(audit.verify().intact()).isTrue();
        assertThat(ChangeSignatures.problem(ChangeSignatures.sign(alice, json), json.replace("grant", "revoke")))
                .isEqualTo("signed content differs from the recorded detail");

        ECKey mallory = new ECKeyGenerator(Curve.P_256).generate();
        Map<String, Object> other = new LinkedHashMap<>(Map.of("action", "revoke"));
        String signedByMallory = ChangeSignatures.sign(mallory, AuditTrail.detailJson(other));
        // mallory's signature with alice's key put in its header: the kid no longer matches, nor the signature
        String[] parts = signedByMallory.split("\\.");
        String header = new String(java.util.Base64.getUrlDecoder().decode(parts[0]));
        String swapped = header.replace(
                        mallory.toPublicJWK().getX().toString(),
                        alice.toPublicJWK().getX().toString())
                .replace(
                        mallory.toPublicJWK().getY().toString(),
                        alice.toPublicJWK().getY().toString());
        String forged = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(swapped.getBytes()) + "."
                + parts[1] + "." + parts[2];
        assertThat(ChangeSignatures.problem(forged, AuditTrail.detailJson(other)))
                .isNotNull();
    }

    @Test
    void concurrentAppendersShareOneUnbrokenChain() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> runs = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            runs.add(pool.submit(() -> {
                for (int i = 0; i < 25; i++) {
                    audit.append(List.of(event(thread * 100 + i, "owner")));
                }
                return null;
            }));
        }
        for (Future<?> run : runs) {
            run.get();
        }
        pool.shutdown();
        AuditTrail.Verification v = audit.verify();
        assertThat(v.intact()).isTrue();
        assertThat(v.rows()).isEqualTo(100);
    }

    /** {@code old} entries written 40 days ago, then {@code recent} ones now. */
    private void fillAged(int old, int recent) throws SQLException {
        clock.daysAgo(40);
        for (int i = 0; i < old; i++) {
            audit.append(List.of(event(i, "owner")));
        }
        clock.now();
        for (int i = old; i < old + recent; i++) {
            audit.append(List.of(event(i, "owner")));
        }
    }

    private static Instant monthAgo() {
        return Instant.now().minus(Duration.ofDays(30));
    }

    @Test
    void pruningKeepsTheRestVerifiableFromItsAnchorAndAppendsChainOn() throws Exception {
        fillAged(3, 3);
        int removed = signed.prune(monthAgo());
        assertThat(removed).isEqualTo(3);
        audit.append(List.of(event(7, "owner-odd")));
        AuditTrail.Verification v = signed.verify();
        assertThat(v.intact()).as(String.valueOf(v.problem())).isTrue();
        assertThat(v.rows()).as("3 kept, the prune's checkpoint, 1 more").isEqualTo(5);
        assertThat(v.checkpointSeq()).isNotNull();
        // a second prune, of everything up to the head, past the first one's checkpoint: the new checkpoint is the
        // first entry kept
        assertThat(signed.prune(Instant.now().plusSeconds(60))).isEqualTo(5);
        assertThat(signed.verify().intact())
                .as(String.valueOf(signed.verify().problem()))
                .isTrue();
        assertThat(signed.verify().rows()).isOne();
        audit.append(List.of(event(8, "owner-odd")));
        assertThat(signed.verify().intact()).isTrue();
        assertThat(new AuditRetention(audit, 0, Clock.systemUTC()).prune())
                .as("0 keeps for ever")
                .isZero();
        assertThatThrownBy(() -> new AuditRetention(audit, 30, Clock.systemUTC()))
                .hasMessageContaining("needs senproxy.signing.key-file");
        assertThatThrownBy(() -> audit.prune(Instant.now())).hasMessageContaining("signed by the proxy's key");
    }

    @Test
    void aSessionCanNoLongerDeleteBySettingTheOldBypass() throws Exception {
        fillAged(2, 2);
        assertThatThrownBy(() ->
                        sql("SET senproxy.audit_prune = 'on'", "DELETE FROM audit_log WHERE seq = " + seqOf("m-0")))
                .hasMessageContaining("append-only (DELETE refused");
        assertThatThrownBy(() -> sql("TRUNCATE audit_log")).hasMessageContaining("TRUNCATE refused");
        assertThatThrownBy(
                        () -> sql("INSERT INTO config (key, value) VALUES ('audit.anchor', '" + "1".repeat(64) + "')"))
                .hasMessageContaining("set by the audit retention only");
        // a checkpoint allows the deletion of what it names only: not itself, nothing after it
        assertThat(signed.prune(monthAgo())).isEqualTo(2);
        assertThatThrownBy(() -> sql("DELETE FROM audit_log WHERE seq = " + seqOf("m-2")))
                .hasMessageContaining("append-only (DELETE refused");
        assertThat(signed.verify().intact()).isTrue();
    }

    @Test
    void cuttingTheOldestEntriesAndMovingTheAnchorIsSeenAsTruncation() throws Exception {
        fill(6);
        String anchor = hashOf("m-2");
        // the owner, who can drop the triggers, cuts the three oldest and moves the anchor to the last one cut
        sql(
                "ALTER TABLE audit_log DISABLE TRIGGER USER",
                "ALTER TABLE config DISABLE TRIGGER USER",
                "DELETE FROM audit_log WHERE seq <= " + seqOf("m-2"),
                "INSERT INTO config (key, value) VALUES ('audit.anchor', '" + anchor + "')");
        AuditTrail.Verification v = signed.verify();
        assertThat(v.intact()).isFalse();
        assertThat(v.problem()).contains("truncated: no signed checkpoint covers the anchor");
        assertThat(v.brokenAt()).isEqualTo(seqOf("m-3"));
    }

    @Test
    void cuttingMoreThanTheRetentionDidIsSeenAsTruncation() throws Exception {
        fillAged(2, 4);
        signed.prune(monthAgo());
        assertThat(signed.verify().intact()).isTrue();
        String anchor = hashOf("m-3");
        sql(
                "ALTER TABLE audit_log DISABLE TRIGGER USER",
                "ALTER TABLE config DISABLE TRIGGER USER",
                "DELETE FROM audit_log WHERE seq <= " + seqOf("m-3"),
                "UPDATE config SET value = '" + anchor + "' WHERE key = 'audit.anchor'");
        AuditTrail.Verification v = signed.verify();
        assertThat(v.intact()).isFalse();
        assertThat(v.problem()).contains("truncated: the anchor " + anchor).contains("entries were removed outside");
    }

    @Test
    void aMiddleEntryRemovedAndTheRestRehashedBreaksTheSignedCheckpointAndTheHeadKeptOutside() throws Exception {
        fill(6);
        assertThat(signed.checkpoint()).isNotNull();
        assertThat(signed.checkpoint()).as("nothing new since").isNull();
        audit.append(List.of(event(6, "owner-even")));
        AuditTrail.Head kept = signed.head();
        long checkpoint = signed.verify().checkpointSeq();

        removeAndRehash("m-2");
        AuditTrail.Verification v = signed.verify();
        assertThat(v.intact()).isFalse();
        assertThat(v.brokenAt()).isEqualTo(checkpoint);
        assertThat(v.problem()).contains("not those it covers").contains("re-hashed");

        // the same with the checkpoint removed as well: only the head kept outside the database shows it
        sql("ALTER TABLE audit_log DISABLE TRIGGER USER", "DELETE FROM audit_log WHERE seq = " + checkpoint);
        rehashFrom(checkpoint);
        assertThat(signed.verify().intact())
                .as("the limit: nothing signed is left to contradict it")
                .isTrue();
        AuditTrail.Verification outside = signed.verify(kept);
        assertThat(outside.intact()).isFalse();
        assertThat(outside.brokenAt()).isEqualTo(kept.seq());
        assertThat(outside.problem()).contains("is not the head kept outside").contains("rewritten");
    }

    @Test
    void aHeadKeptOutsideShowsTheNewestEntriesRemoved() throws Exception {
        fill(4);
        AuditTrail.Head kept = signed.head();
        assertThat(signed.verify(kept).intact()).isTrue();
        sql("ALTER TABLE audit_log DISABLE TRIGGER USER", "DELETE FROM audit_log WHERE seq = " + kept.seq());
        assertThat(signed.verify().intact()).isTrue();
        AuditTrail.Verification v = signed.verify(kept);
        assertThat(v.intact()).isFalse();
        assertThat(v.problem()).contains("no longer in the chain");
        assertThat(AuditTrail.Head.parse(kept.toString())).isEqualTo(kept);
        assertThatThrownBy(() -> AuditTrail.Head.parse("12")).hasMessageContaining("not a head SEQ:HASH");
    }

    @Test
    void aCheckpointByAnotherKeyOrNoneBreaksTheChain() throws Exception {
        fill(2);
        signed.checkpoint();
        assertThat(audit.verify().problem())
                .as("a trail that knows no proxy key")
                .contains("checkpoint: signed by a key this proxy does not know");
        AuditTrail rotated = new AuditTrail(
                db, Clock.systemUTC(), new ECKeyGenerator(Curve.P_256).generate(), List.of(proxyKey.toPublicJWK()));
        assertThat(rotated.verify().intact())
                .as("the earlier key is trusted still")
                .isTrue();
        // a checkpoint forged by whoever holds the database only: a key of their own
        AuditTrail forger =
                new AuditTrail(db, Clock.systemUTC(), new ECKeyGenerator(Curve.P_256).generate(), List.of());
        audit.append(List.of(event(3, "x")));
        forger.checkpoint();
        assertThat(signed.verify().problem()).contains("checkpoint: signed by a key this proxy does not know");
    }

    @Test
    void aChangeSignedByAKeyNotRegisteredForItsActorIsBroken() throws Exception {
        SignerKeys keys = new SignerKeys(db, audit, Clock.systemUTC());
        ECKey alice = new ECKeyGenerator(Curve.P_256).generate();
        ECKey mallory = new ECKeyGenerator(Curve.P_256).generate();
        keys.trust("alice", alice.toPublicJWK(), null, null, "root");
        keys.trust("mallory", mallory.toPublicJWK(), null, null, "root");
        assertThatThrownBy(() -> keys.requireRegistered("alice", mallory))
                .hasMessageContaining("is not registered for alice")
                .hasMessageContaining("keys trust --actor alice");
        keys.requireRegistered("alice", alice);
        change("alice", alice, "grant");
        assertThat(signed.verify().intact()).isTrue();

        // mallory's own key, registered for mallory, signs a change in alice's name: the key carried in the signature
        // no longer speaks for itself
        change("alice", mallory, "revoke");
        AuditTrail.Verification v = signed.verify();
        assertThat(v.intact()).isFalse();
        assertThat(v.problem()).contains("signed by an unregistered key").contains("not registered for alice");
        assertThat(v.brokenAt()).isEqualTo(lastSeq());
    }

    @Test
    void aChangeAfterItsKeyWasRetiredIsBrokenAndRegistrationsOutliveThePrune() throws Exception {
        SignerKeys keys = new SignerKeys(db, audit, clock);
        ECKey alice = new ECKeyGenerator(Curve.P_256).generate();
        clock.daysAgo(40);
        keys.trust("alice", alice.toPublicJWK(), null, null, "root");
        clock.now();
        change("alice", alice, "grant");
        // the registration goes with the oldest entries; the prune's checkpoint carries it on
        assertThat(signed.prune(monthAgo())).isOne();
        change("alice", alice, "narrow");
        assertThat(signed.verify().intact())
                .as(String.valueOf(signed.verify().problem()))
                .isTrue();

        assertThat(keys.trust("alice", alice.toPublicJWK(), null, Instant.now().minusSeconds(1), "root"))
                .contains("now valid until");
        assertThatThrownBy(() -> keys.trust("alice", alice.toPublicJWK(), null, null, "root"))
                .hasMessageContaining("never extended");
        assertThatThrownBy(() -> keys.requireRegistered("alice", alice)).hasMessageContaining("is not valid now");
        change("alice", alice, "revoke");
        assertThat(signed.verify().problem()).contains("outside its validity");
    }

    private void change(String actor, ECKey key, String action) throws SQLException {
        Map<String, Object> detail = new LinkedHashMap<>(Map.of("action", action));
        audit.append(List.of(new AuditEvent(
                "consent.granted",
                actor,
                "owner",
                null,
                detail,
                ChangeSignatures.sign(key, AuditTrail.detailJson(detail)))));
    }

    private long lastSeq() throws SQLException {
        return audit.head().seq();
    }

    private String hashOf(String message) throws SQLException {
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT hash FROM audit_log WHERE seq = " + seqOf(message))) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** A forger's work: removes one entry and re-hashes every later one, as whoever holds the database can. */
    private void removeAndRehash(String message) throws SQLException {
        long seq = seqOf(message);
        sql("ALTER TABLE audit_log DISABLE TRIGGER USER", "DELETE FROM audit_log WHERE seq = " + seq);
        rehashFrom(seq);
    }

    private void rehashFrom(long from) throws SQLException {
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement()) {
            String previous;
            try (ResultSet rs =
                    s.executeQuery("SELECT hash FROM audit_log WHERE seq < " + from + " ORDER BY seq DESC LIMIT 1")) {
                previous = rs.next() ? rs.getString(1) : AuditTrail.GENESIS;
            }
            List<Object[]> rows = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT seq, at, kind, actor, user_ref, consent_ref::text, detail,"
                    + " signature FROM audit_log WHERE seq > " + from + " ORDER BY seq")) {
                while (rs.next()) {
                    rows.add(new Object[] {
                        rs.getLong(1),
                        rs.getObject(2, java.time.OffsetDateTime.class).toInstant(),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getString(7),
                        rs.getString(8)
                    });
                }
            }
            s.execute("ALTER TABLE audit_log DISABLE TRIGGER USER");
            for (Object[] r : rows) {
                String hash = AuditTrail.hash(
                        previous,
                        (long) r[0],
                        (Instant) r[1],
                        (String) r[2],
                        (String) r[3],
                        (String) r[4],
                        (String) r[5],
                        (String) r[6],
                        (String) r[7]);
                s.execute("UPDATE audit_log SET prev_hash = '" + previous + "', hash = '" + hash + "' WHERE seq = "
                        + r[0]);
                previous = hash;
            }
            s.execute("ALTER TABLE audit_log ENABLE TRIGGER USER");
        }
    }

    @Test
    void exportsOneDataOwnersEntriesAsJsonLines() throws Exception {
        fill(6);
        String ref = UUID.randomUUID().toString();
        audit.append(List.of(
                AuditEvent.of("consent.granted", "alice", "owner-even", ref.toUpperCase(), Map.of("scope", "*"))));
        StringWriter out = new StringWriter();
        long lines = audit.export(out, "owner-even", null);
        assertThat(lines).isEqualTo(4);
        String[] json = out.toString().split("\n");
        assertThat(json).hasSize(4);
        JsonNode first = new ObjectMapper().readTree(json[0]);
        assertThat(first.get("user").asText()).isEqualTo("owner-even");
        assertThat(first.get("detail").get("message").asText()).isEqualTo("m-0");
        assertThat(first.get("hash").asText()).hasSize(64);
        JsonNode last = new ObjectMapper().readTree(json[3]);
        assertThat(last.get("consent").asText()).isEqualTo(ref);

        StringWriter byConsent = new StringWriter();
        assertThat(audit.export(byConsent, null, ref)).isOne();
        assertThat(audit.verify().intact())
                .as("a consent ref in capitals hashes as stored")
                .isTrue();
    }
}
