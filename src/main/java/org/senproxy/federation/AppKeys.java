package org.senproxy.federation;

import java.sql.Connection;
import java.sql.SQLException;
import java.text.ParseException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.ECKey;
import org.senproxy.audit.AuditEvent;
import org.senproxy.audit.AuditTrail;
import org.senproxy.db.Sql;
import org.senproxy.db.Times;
import org.senproxy.db.Transactions;

/**
 * The registered public keys of the federated apps (table {@code app_key}), changed by {@code keys register} only, each
 * change audited in its transaction. A key id names one key material for good:
 * <ul>
 * <li>a new key id is registered ({@code key.registered});</li>
 * <li>the same key id with the same material may only have its expiry brought forward ({@code key.shortened}): a key
 * the operator retires or distrusts cannot be made valid again, nor for longer, by registering it once more;</li>
 * <li>the same key id with other material is refused, unless the operator says {@code --replace}
 * ({@code key.replaced}, with both thumbprints): registering over a compromised key must not leave it in force.</li>
 * </ul>
 */
public class AppKeys {

    private static final Sql APP = Sql.of(AppKeys.class, "app-key-app");
    private static final Sql LOCK = Sql.of(AppKeys.class, "app-key-lock");
    private static final Sql INSERT = Sql.of(AppKeys.class, "app-key-insert");
    private static final Sql UPDATE = Sql.of(AppKeys.class, "app-key-update");

    /** The key registered under a key id: its JWK and its end (null: none). */
    private record Registered(String jwk, Instant validUntil) {}

    private final DataSource dataSource;
    private final AuditTrail audit;

    public AppKeys(DataSource dataSource, AuditTrail audit) {
        this.dataSource = dataSource;
        this.audit = audit;
    }

    /**
     * Registers a public key for an app.
     *
     * @param validUntil null for no end
     * @param replace    whether another key under the same key id may be replaced
     * @return what was done, for the operator
     * @throws IllegalArgumentException for an unknown app, or a change the rules above refuse
     */
    public String register(String app, ECKey key, Instant validUntil, boolean replace, String actor)
            throws SQLException {
        if (key.isPrivate()) {
            throw new IllegalArgumentException("that file holds a private key: register the public one only");
        }
        if (key.getKeyID() == null) {
            throw new IllegalArgumentException("the key has no key id (kid)");
        }
        String kid = key.getKeyID();
        String thumbprint = thumbprint(key);
        return Transactions.inTransaction(dataSource, c -> {
            long appId = appId(c, app);
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("app", app);
            detail.put("kid", kid);
            detail.put("thumbprint", thumbprint);
            detail.put("valid_until", validUntil == null ? null : validUntil.toString());
            Registered found = LOCK.one(
                    c,
                    LOCK.params().set("app_id", appId).text("kid", kid),
                    rs -> new Registered(rs.getString(1), Times.instant(rs, 2)));
            if (found == null) {
                insert(c, appId, key, validUntil);
                audit.append(c, List.of(AuditEvent.of("key.registered", actor, null, null, detail)));
                return "key " + kid + " registered for app " + app + " (thumbprint " + thumbprint + ")"
                        + (validUntil == null ? "" : ", valid until " + validUntil);
            }
            String registered = thumbprint(parse(found.jwk()));
            Instant current = found.validUntil();
            if (!registered.equals(thumbprint)) {
                if (!replace) {
                    throw new IllegalArgumentException("app " + app + " already has a key " + kid + " with"
                            + " other key material (thumbprint " + registered + "): register the new key under"
                            + " a new kid, or replace this one with --replace (audited)");
                }
                update(c, appId, kid, key, validUntil);
                detail.put("replaced_thumbprint", registered);
                audit.append(c, List.of(AuditEvent.of("key.replaced", actor, null, null, detail)));
                return "key " + kid + " of app " + app + " replaced: " + registered + " is no longer valid," + " "
                        + thumbprint + " is";
            }
            if (validUntil != null && (current == null || validUntil.isBefore(current))) {
                update(c, appId, kid, key, validUntil);
                detail.put("was_valid_until", current == null ? null : current.toString());
                audit.append(c, List.of(AuditEvent.of("key.shortened", actor, null, null, detail)));
                return "key " + kid + " of app " + app + " now valid until " + validUntil;
            }
            if (validUntil == null ? current == null : validUntil.equals(current)) {
                return "key " + kid + " of app " + app + " is registered already; nothing changed";
            }
            throw new IllegalArgumentException("key " + kid + " of app " + app + " is valid until "
                    + (current == null ? "no end" : current) + ": a registered key's validity may be shortened,"
                    + " never extended; register a new key under a new kid");
        });
    }

    private static long appId(Connection c, String app) throws SQLException {
        Long id = APP.one(c, APP.params().text("app", app), rs -> rs.getLong(1));
        if (id == null) {
            throw new IllegalArgumentException("no app named " + app + " (sen-proxy apps add registers one)");
        }
        return id;
    }

    private static void insert(Connection c, long appId, ECKey key, Instant validUntil) throws SQLException {
        INSERT.update(
                c,
                INSERT.params()
                        .set("app_id", appId)
                        .text("kid", key.getKeyID())
                        .text("jwk", key.toPublicJWK().toJSONString())
                        .set("valid_until", Times.utc(validUntil)));
    }

    private static void update(Connection c, long appId, String kid, ECKey key, Instant validUntil)
            throws SQLException {
        UPDATE.update(
                c,
                UPDATE.params()
                        .text("jwk", key.toPublicJWK().toJSONString())
                        .set("valid_until", Times.utc(validUntil))
                        .set("app_id", appId)
                        .text("kid", kid));
    }

    private static ECKey parse(String jwk) {
        try {
            return ECKey.parse(jwk);
        } catch (ParseException e) {
            throw new IllegalStateException("a registered key is not an EC JWK", e);
        }
    }

    /** The key's RFC 7638 thumbprint (SHA-256, base64url): the same for the same public key material. */
    public static String thumbprint(ECKey key) {
        try {
            return key.toPublicJWK().computeThumbprint().toString();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot compute a JWK thumbprint", e);
        }
    }
}
