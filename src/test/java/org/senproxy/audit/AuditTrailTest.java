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
    private AuditTrail audit;

    @BeforeEach
    void database() {
        database = TestPostgres.newDatabase("audit");
        TestPostgres.migrate(database);
        PGSimpleDataSource db = new PGSimpleDataSource();
        db.setUrl(database);
        db.setUser("postgres");
        audit = new AuditTrail(db, Clock.systemUTC());
    }

    private static AuditEvent event(int i, String user) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("message", "m-" + i);
        detail.put("records", i);
        return AuditEvent.of("transfer.acknowledged", "proxy-a@localhost", user, null, detail);
    }

    private void sql(String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(database, "postgres", ""); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    private long seqOf(String message) throws SQLException {
        try (Connection c = DriverManager.getConnection(database, "postgres", ""); Statement s = c.createStatement();
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
        sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
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
        sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
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
        try (Connection c = DriverManager.getConnection(database, "postgres", ""); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT at, prev_hash FROM audit_log WHERE seq = " + seq)) {
            rs.next();
            Instant at = rs.getObject(1, java.time.OffsetDateTime.class).toInstant();
            String detail = "{\"message\":\"m-1\",\"records\":100}";
            String forged = AuditTrail.hash(rs.getString(2), seq, at, "transfer.acknowledged", "proxy-a@localhost",
                    "owner-odd", null, detail, null);
            sql("UPDATE audit_log SET detail = '" + detail + "', hash = '" + forged + "' WHERE seq = " + seq);
        }
        AuditTrail.Verification v = audit.verify();
        assertThat(v.brokenAt()).isEqualTo(seqOf("m-2"));
    }

    @Test
    void aForgedChangeSignatureIsFound() throws Exception {
        ECKey alice = new ECKeyGenerator(Curve.P_256).generate();
        Map<String, Object> detail = new LinkedHashMap<>(Map.of("action", "grant"));
        String json = AuditTrail.detailJson(detail);
        audit.append(List.of(new AuditEvent("consent.granted", "alice", "owner", null, detail,
                ChangeSignatures.sign(alice, json))));
        assertThat(audit.verify().intact()).isTrue();
        assertThat(ChangeSignatures.problem(ChangeSignatures.sign(alice, json), json.replace("grant", "revoke")))
                .isEqualTo("signed content differs from the recorded detail");

        ECKey mallory = new ECKeyGenerator(Curve.P_256).generate();
        Map<String, Object> other = new LinkedHashMap<>(Map.of("action", "revoke"));
        String signedByMallory = ChangeSignatures.sign(mallory, AuditTrail.detailJson(other));
        // mallory's signature with alice's key put in its header: the kid no longer matches, nor the signature
        String[] parts = signedByMallory.split("\\.");
        String header = new String(java.util.Base64.getUrlDecoder().decode(parts[0]));
        String swapped = header.replace(mallory.toPublicJWK().getX().toString(), alice.toPublicJWK().getX().toString())
                .replace(mallory.toPublicJWK().getY().toString(), alice.toPublicJWK().getY().toString());
        String forged = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(swapped.getBytes())
                + "." + parts[1] + "." + parts[2];
        assertThat(ChangeSignatures.problem(forged, AuditTrail.detailJson(other))).isNotNull();
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

    @Test
    void pruningKeepsTheRestVerifiableFromItsAnchorAndAppendsChainOn() throws Exception {
        fill(6);
        sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
                "UPDATE audit_log SET at = at - interval '40 days' WHERE seq <= " + seqOf("m-2"),
                "ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only");
        // moving 'at' changed those rows' content: they are the ones pruned, the chain from m-3 on is untouched
        int removed = audit.prune(Instant.now().minus(Duration.ofDays(30)));
        assertThat(removed).isEqualTo(3);
        audit.append(List.of(event(7, "owner-odd")));
        AuditTrail.Verification v = audit.verify();
        assertThat(v.intact()).isTrue();
        assertThat(v.rows()).isEqualTo(4);
        assertThat(new AuditRetention(audit, 0, Clock.systemUTC()).prune()).as("0 keeps for ever").isZero();
    }

    @Test
    void exportsOneDataOwnersEntriesAsJsonLines() throws Exception {
        fill(6);
        String ref = UUID.randomUUID().toString();
        audit.append(List.of(AuditEvent.of("consent.granted", "alice", "owner-even", ref.toUpperCase(),
                Map.of("scope", "*"))));
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
        assertThat(audit.verify().intact()).as("a consent ref in capitals hashes as stored").isTrue();
    }
}
