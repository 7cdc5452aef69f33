package org.senproxy.consent;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import com.nimbusds.jose.jwk.ECKey;
import org.senproxy.audit.AuditEvent;
import org.senproxy.audit.AuditTrail;
import org.senproxy.audit.ChangeSignatures;

/**
 * The sending side's consents: a data owner grants an application access to a scope of series for a period; the
 * consumers (subscriptions to local sources) that reference it send under it. Granting and revoking are audited, each
 * change signed by whoever made it, in the same transaction as the change.
 *
 * <p>Revoking stops delivery at once: in the same transaction, the messages of that consent still waiting to be sent
 * or acknowledged become {@code revoked} with the reason, and are never sent again. The outbox does the same for an
 * expired consent when its messages come due ({@code OutboxRepository.claim}).
 */
public class Consents {

    private final DataSource dataSource;
    private final AuditTrail audit;

    public Consents(DataSource dataSource, AuditTrail audit) {
        this.dataSource = dataSource;
        this.audit = audit;
    }

    /** What a grant asks for; {@code sources} are the local sources (connector route ids) to send under it. */
    public record Grant(String user, String app, String scope, Instant validFrom, Instant validUntil,
            List<String> sources) {
    }

    /**
     * Records a consent (the data owner is created if new; the app must be registered) and, for each source named, a
     * consumer that sends under it.
     *
     * @return the consent's ref, to give to the receiving proxy (its subscription names it)
     * @throws IllegalArgumentException for an unknown app, an invalid scope or an empty period
     */
    public String grant(Grant grant, String actor, ECKey signer) throws SQLException {
        Scope scope = Scope.parse(grant.scope());
        Instant from = grant.validFrom() == null ? Instant.now() : grant.validFrom();
        if (!grant.validUntil().isAfter(from)) {
            throw new IllegalArgumentException("valid-until " + grant.validUntil() + " is not after " + from);
        }
        String ref = UUID.randomUUID().toString();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                long appId;
                String appJid;
                try (PreparedStatement ps = c.prepareStatement("SELECT id, jid FROM app WHERE name = ?")) {
                    ps.setString(1, grant.app());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new IllegalArgumentException("no app named " + grant.app()
                                    + " (sen-proxy apps add registers one)");
                        }
                        appId = rs.getLong(1);
                        appJid = rs.getString(2);
                    }
                }
                long userId;
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO federated_user (external_id) VALUES (?)"
                        + " ON CONFLICT (external_id) DO UPDATE SET external_id = excluded.external_id RETURNING id")) {
                    ps.setString(1, grant.user());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        userId = rs.getLong(1);
                    }
                }
                long consentId;
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO consent (ref, user_id, app_id, scope,"
                        + " valid_from, valid_until, granted_by) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
                    ps.setObject(1, UUID.fromString(ref));
                    ps.setLong(2, userId);
                    ps.setLong(3, appId);
                    ps.setString(4, scope.text());
                    ps.setObject(5, utc(from));
                    ps.setObject(6, utc(grant.validUntil()));
                    ps.setString(7, actor);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        consentId = rs.getLong(1);
                    }
                }
                List<String> sources = grant.sources() == null ? List.of() : grant.sources();
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO consumer (source, app_id, user_id, consent_id) VALUES (?, ?, ?, ?)")) {
                    for (String source : sources) {
                        ps.setString(1, source);
                        ps.setLong(2, appId);
                        ps.setLong(3, userId);
                        ps.setLong(4, consentId);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                Map<String, Object> detail = new LinkedHashMap<>();
                detail.put("action", "grant");
                detail.put("consent", ref);
                detail.put("user", grant.user());
                detail.put("app", grant.app());
                detail.put("app_jid", appJid);
                detail.put("scope", scope.text());
                detail.put("valid_from", from.toString());
                detail.put("valid_until", grant.validUntil().toString());
                detail.put("sources", sources);
                audit.append(c, List.of(signed("consent.granted", actor, grant.user(), ref, detail, signer)));
                c.commit();
                return ref;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * Revokes a consent and withholds, in the same transaction, every message written under it that is not yet
     * acknowledged.
     *
     * @return the number of messages withheld
     * @throws IllegalArgumentException when no such consent is in force (unknown, or already revoked)
     */
    public int revoke(String ref, String reason, String actor, ECKey signer) throws SQLException {
        UUID id = uuid(ref);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                String user;
                try (PreparedStatement ps = c.prepareStatement("UPDATE consent k SET revoked_at = now(),"
                        + " revoked_by = ?, revoke_reason = ? FROM federated_user u"
                        + " WHERE k.ref = ? AND k.revoked_at IS NULL AND u.id = k.user_id RETURNING u.external_id")) {
                    ps.setString(1, actor);
                    ps.setString(2, reason);
                    ps.setObject(3, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new IllegalArgumentException("no consent " + ref + " in force (unknown, or revoked"
                                    + " before)");
                        }
                        user = rs.getString(1);
                    }
                }
                int withheld;
                try (PreparedStatement ps = c.prepareStatement("UPDATE outbox SET status = 'revoked', last_error = ?"
                        + " WHERE consent_ref = ? AND status IN ('pending', 'sent')")) {
                    ps.setString(1, "consent " + ref + " revoked by " + actor + ": " + reason);
                    ps.setObject(2, id);
                    withheld = ps.executeUpdate();
                }
                Map<String, Object> detail = new LinkedHashMap<>();
                detail.put("action", "revoke");
                detail.put("consent", ref);
                detail.put("reason", reason);
                detail.put("messages_withheld", withheld);
                audit.append(c, List.of(signed("consent.revoked", actor, user, ref, detail, signer)));
                c.commit();
                return withheld;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Every consent, newest first, with the sources that send under it. */
    public List<Consent> list() throws SQLException {
        String sql = "SELECT k.ref::text, u.external_id, a.name, a.jid, k.scope, k.valid_from, k.valid_until,"
                + " k.granted_by, k.revoked_at, k.revoked_by, k.revoke_reason,"
                + " array(SELECT source FROM consumer WHERE consent_id = k.id AND active ORDER BY source)"
                + " FROM consent k JOIN federated_user u ON u.id = k.user_id JOIN app a ON a.id = k.app_id"
                + " ORDER BY k.id DESC";
        List<Consent> consents = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Array sources = rs.getArray(12);
                consents.add(new Consent(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), instant(rs, 6), instant(rs, 7), rs.getString(8), instant(rs, 9),
                        rs.getString(10), rs.getString(11), Arrays.asList((String[]) sources.getArray())));
            }
        }
        return consents;
    }

    static AuditEvent signed(String kind, String actor, String user, String ref, Map<String, Object> detail,
            ECKey signer) {
        if (signer == null || !signer.isPrivate()) {
            throw new IllegalArgumentException("an authorization change is signed by whoever makes it: a private key"
                    + " is needed");
        }
        String json = AuditTrail.detailJson(detail);
        return new AuditEvent(kind, actor, user, ref, detail, ChangeSignatures.sign(signer, json));
    }

    static UUID uuid(String ref) {
        try {
            return UUID.fromString(ref);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("'" + ref + "' is not a consent ref (a UUID)");
        }
    }

    static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
