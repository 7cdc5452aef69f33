package org.senproxy.consent;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import com.github.benmanes.caffeine.cache.Cache;
import com.nimbusds.jose.jwk.ECKey;
import org.senproxy.audit.AuditTrail;
import org.senproxy.db.Lookups;
import org.senproxy.db.Sql;
import org.senproxy.db.Times;
import org.senproxy.db.Transactions;
import org.senproxy.federation.FederationException;
import org.senproxy.federation.FederationMessage;
import org.senproxy.senml.Measurement;

/**
 * The receiving side's subscriptions: which consents this proxy holds at the applications that send to it. A data
 * message is accepted only when it names a consent held here, comes from the app that holds it (the sender the XMPP
 * server authenticated), and carries series in the subscription's scope. Adding and ending a subscription are audited
 * and signed, as consents are. A subscription found is remembered for {@code senproxy.inbound.lookup-cache-ms} (see
 * {@link Lookups}); adding or ending one through this object forgets what it remembered at once.
 */
public class Subscriptions {

    private static final Sql FIND = Sql.of(Subscriptions.class, "subscription-scope");
    private static final Sql ADD = Sql.of(Subscriptions.class, "subscription-add");
    private static final Sql END = Sql.of(Subscriptions.class, "subscription-end");
    private static final Sql LIST = Sql.of(Subscriptions.class, "subscription-list");

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
    public record Held(
            String app,
            String appJid,
            String consentRef,
            String scope,
            boolean active,
            Instant createdAt,
            Instant endedAt,
            String endReason) {}

    /**
     * Passes a message that this proxy subscribed to; refuses, with the reason, one that names no consent, a consent
     * held at another app or none at all, or a series outside the scope. The sender is told (it dead-letters the row).
     */
    public FederationMessage authorize(FederationMessage message) throws SQLException {
        String ref = message.consentRef();
        if (ref == null) {
            if (required) {
                throw new FederationException(
                        "no consent named: this proxy accepts data under a consent it" + " subscribed to only", true);
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
                throw new FederationException(
                        "series " + m.name() + " is outside the scope of consent " + ref + " (" + scope + ")", true);
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
        try (Connection c = dataSource.getConnection()) {
            scope = FIND.one(
                    c,
                    FIND.params().text("app_jid", senderJid).set("consent_ref", consent),
                    rs -> Scope.parse(rs.getString(1)));
        }
        if (scope == null) {
            throw new FederationException(
                    "no active subscription of this proxy under consent " + consent + " from " + senderJid, true);
        }
        remembered.put(key, scope);
        return scope;
    }

    public void add(String app, String consentRef, String scopeText, String actor, ECKey signer) throws SQLException {
        Scope scope = Scope.parse(scopeText);
        UUID id = Consents.uuid(consentRef);
        change(
                actor,
                signer,
                "subscription.added",
                id,
                ADD,
                ADD.params().set("consent_ref", id).text("scope", scope.text()).text("app", app),
                app,
                scope.text());
    }

    public void end(String app, String consentRef, String actor, ECKey signer) throws SQLException {
        UUID id = Consents.uuid(consentRef);
        change(
                actor,
                signer,
                "subscription.ended",
                id,
                END,
                END.params().set("consent_ref", id).text("app", app),
                app,
                null);
    }

    private void change(
            String actor,
            ECKey signer,
            String kind,
            UUID ref,
            Sql statement,
            Sql.Params params,
            String app,
            String scope)
            throws SQLException {
        Transactions.inTransaction(dataSource, c -> {
            if (statement.update(c, params) == 0) {
                throw new IllegalArgumentException(
                        kind.endsWith("added")
                                ? "no app named " + app
                                : "no active subscription under consent " + ref + " at app " + app);
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
        return list(null);
    }

    /** The newest {@code limit} subscriptions (null: all), newest first. */
    public List<Held> list(Integer limit) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return LIST.query(
                    c,
                    LIST.params().set("limit", limit),
                    rs -> new Held(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getBoolean(5),
                            Times.instant(rs, 6),
                            Times.instant(rs, 7),
                            rs.getString(8)));
        }
    }
}
