package org.senproxy.consent;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import com.github.benmanes.caffeine.cache.Cache;
import com.nimbusds.jose.jwk.ECKey;
import org.senproxy.db.Lookups;
import org.senproxy.db.Transactions;
import org.senproxy.audit.AuditTrail;
import org.senproxy.federation.FederationException;
import org.senproxy.federation.FederationMessage;
import org.senproxy.senml.Measurement;
import org.senproxy.db.Times;

/**
 * The receiving side's subscriptions: which consents this proxy holds at the applications that send to it. A data
 * message is accepted only when it names a consent held here, comes from the app that holds it (the sender the XMPP
 * server authenticated), and carries series in the subscription's scope. Adding and ending a subscription are audited
 * and signed, as consents are. A subscription found is remembered for {@code senproxy.inbound.lookup-cache-ms} (see
 * {@link Lookups}); adding or ending one through this object forgets what it remembered at once.
 */
public class Subscriptions {

    private static final String FIND = "SELECT s.scope FROM subscription s JOIN app a ON a.id = s.app_id"
            + " WHERE a.jid = ? AND s.consent_ref = ? AND s.active";

    private final DataSource dataSource;
    private final AuditTrail audit;
    private final boolean required;
    private final Cache<String, Scope> remembered;

    /**
     * @param required whether a message must name a consent ({@code senproxy.consent.required}); when false, a message
     *                 naming none is let through, one naming a consent is still checked
     */
    public Subscriptions(DataSource dataSource, AuditTrail audit, boolean required) {
        this(dataSource, audit, required, Duration.ZERO);
    }

    public Subscriptions(DataSource dataSource, AuditTrail audit, boolean required, Duration remember) {
        this.remembered = Lookups.cache(remember);
        this.dataSource = dataSource;
        this.audit = audit;
        this.required = required;
    }

    /** A subscription as listed. */
    public record Held(String app, String appJid, String consentRef, String scope, boolean active, Instant createdAt,
            Instant endedAt) {
    }

    /**
     * Passes a message that this proxy subscribed to; refuses, with the reason, one that names no consent, a consent
     * held at another app or none at all, or a series outside the scope. The sender is told (it dead-letters the row).
     */
    public FederationMessage authorize(FederationMessage message) throws SQLException {
        String ref = message.consentRef();
        if (ref == null) {
            if (required) {
                throw new FederationException("no consent named: this proxy accepts data under a consent it"
                        + " subscribed to only", true);
            }
            return message;
        }
        UUID id;
        try {
            id = UUID.fromString(ref);
        } catch (IllegalArgumentException e) {
            throw new FederationException("consent '" + ref + "' is not a consent ref", true);
        }
        Scope scope = scope(message.senderJid(), id);
        for (Measurement m : message.records()) {
            if (!scope.covers(m.name())) {
                throw new FederationException("series " + m.name() + " is outside the scope of consent " + ref
                        + " (" + scope + ")", true);
            }
        }
        return message;
    }

    /** The scope of the active subscription under this consent at this app; refuses the message when there is none. */
    private Scope scope(String senderJid, UUID consent) throws SQLException {
        String key = senderJid + ' ' + consent;
        Scope scope = remembered.getIfPresent(key);
        if (scope != null) {
            return scope;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(FIND)) {
            ps.setString(1, senderJid);
            ps.setObject(2, consent);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new FederationException("no active subscription of this proxy under consent " + consent
                            + " from " + senderJid, true);
                }
                scope = Scope.parse(rs.getString(1));
            }
        }
        remembered.put(key, scope);
        return scope;
    }

    public void add(String app, String consentRef, String scopeText, String actor, ECKey signer)
            throws SQLException {
        Scope scope = Scope.parse(scopeText);
        UUID id = Consents.uuid(consentRef);
        change(actor, signer, "subscription.added", id, "INSERT INTO subscription (app_id, consent_ref, scope)"
                + " SELECT id, ?, ? FROM app WHERE name = ?"
                + " ON CONFLICT (app_id, consent_ref) DO UPDATE SET scope = excluded.scope, active = true,"
                + " ended_at = NULL", ps -> {
                    ps.setObject(1, id);
                    ps.setString(2, scope.text());
                    ps.setString(3, app);
                }, app, scope.text());
    }

    public void end(String app, String consentRef, String actor, ECKey signer) throws SQLException {
        UUID id = Consents.uuid(consentRef);
        change(actor, signer, "subscription.ended", id, "UPDATE subscription SET active = false, ended_at = now()"
                + " WHERE active AND consent_ref = ? AND app_id = (SELECT id FROM app WHERE name = ?)", ps -> {
                    ps.setObject(1, id);
                    ps.setString(2, app);
                }, app, null);
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private void change(String actor, ECKey signer, String kind, UUID ref, String sql, Binder binder, String app,
            String scope) throws SQLException {
        Transactions.inTransaction(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                binder.bind(ps);
                if (ps.executeUpdate() == 0) {
                    throw new IllegalArgumentException(kind.endsWith("added") ? "no app named " + app
                            : "no active subscription under consent " + ref + " at app " + app);
                }
            }
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("action", kind.substring(kind.indexOf('.') + 1));
            detail.put("consent", ref.toString());
            detail.put("app", app);
            if (scope != null) {
                detail.put("scope", scope);
            }
            audit.append(c, List.of(Consents.signed(kind, actor, null, ref.toString(), detail, signer)));
            return null;
        });
        remembered.invalidateAll();
    }

    public List<Held> list() throws SQLException {
        List<Held> held = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT a.name, a.jid, s.consent_ref::text, s.scope, s.active, s.created_at, s.ended_at"
                        + " FROM subscription s JOIN app a ON a.id = s.app_id ORDER BY s.id DESC");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                held.add(new Held(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getBoolean(5), Times.instant(rs, 6), Times.instant(rs, 7)));
            }
        }
        return held;
    }
}
