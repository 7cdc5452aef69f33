package org.senproxy.audit;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.ECKey;
import org.senproxy.db.Sql;
import org.senproxy.db.Times;
import org.senproxy.db.Transactions;

/**
 * The public keys that may sign an actor's authorization changes (table {@code signer_key}), registered by
 * {@code sen-proxy keys trust}, each registration audited ({@value AuditTrail#SIGNER_TRUSTED}, with the public key). A
 * change signed by another key is refused by the commands ({@link #requireRegistered}) and breaks the chain in
 * {@code audit verify}, which reads the registrations from the trail, not from this table.
 *
 * <p>A key is registered for good: registering it again may only bring its end forward (retiring it), never extend it.
 * Its validity starts at the registration, or earlier when the operator says so ({@code --valid-from}: for changes
 * signed with it before this registry existed), which the registration entry records.
 */
public class SignerKeys {

    private static final Sql LOCK = Sql.of(SignerKeys.class, "signer-key-lock");
    private static final Sql INSERT = Sql.of(SignerKeys.class, "signer-key-insert");
    private static final Sql SHORTEN = Sql.of(SignerKeys.class, "signer-key-shorten");
    private static final Sql VALIDITY = Sql.of(SignerKeys.class, "signer-key-validity");

    /** A registration's validity: from, and until (null: no end). */
    private record Validity(Instant from, Instant until) {}

    private final DataSource dataSource;
    private final AuditTrail audit;
    private final Clock clock;

    public SignerKeys(DataSource dataSource, AuditTrail audit, Clock clock) {
        this.dataSource = dataSource;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Registers {@code key} (public) for {@code actor}.
     *
     * @param validFrom  null: from now
     * @param validUntil null: no end
     * @return what was done, for the operator
     * @throws IllegalArgumentException for a private key, or an extension of a registered key
     */
    public String trust(String actor, ECKey key, Instant validFrom, Instant validUntil, String by) throws SQLException {
        if (key.isPrivate()) {
            throw new IllegalArgumentException(
                    "that file holds a private key: register the public one only (keys" + " generate printed it)");
        }
        Instant from = (validFrom != null ? validFrom : clock.instant()).truncatedTo(ChronoUnit.MICROS);
        String kid = thumbprint(key);
        return Transactions.inTransaction(dataSource, c -> {
            Validity registration = LOCK.one(
                    c,
                    LOCK.params().text("actor", actor).text("kid", kid),
                    rs -> new Validity(Times.instant(rs, 1), Times.instant(rs, 2)));
            boolean exists = registration != null;
            Instant registeredFrom = exists ? registration.from() : null;
            Instant current = exists ? registration.until() : null;
            Instant start = exists ? registeredFrom : from;
            if (validUntil != null && !validUntil.isAfter(start)) {
                throw new IllegalArgumentException(
                        "--valid-until " + validUntil + " is not after the key's start " + start);
            }
            if (!exists) {
                INSERT.update(
                        c,
                        INSERT.params()
                                .text("actor", actor)
                                .text("kid", kid)
                                .text("jwk", key.toPublicJWK().toJSONString())
                                .set("valid_from", Times.utc(from))
                                .set("valid_until", Times.utc(validUntil))
                                .text("registered_by", by));
                audit.append(
                        c,
                        List.of(AuditEvent.of(
                                AuditTrail.SIGNER_TRUSTED,
                                by,
                                null,
                                null,
                                registration(actor, kid, key, from, validUntil))));
                return "key " + kid + " trusted to sign " + actor + "'s changes from " + from
                        + (validUntil == null ? "" : " until " + validUntil);
            }
            if (validUntil != null && (current == null || validUntil.isBefore(current))) {
                SHORTEN.update(
                        c,
                        SHORTEN.params()
                                .set("valid_until", Times.utc(validUntil))
                                .text("actor", actor)
                                .text("kid", kid));
                audit.append(
                        c,
                        List.of(AuditEvent.of(
                                AuditTrail.SIGNER_TRUSTED,
                                by,
                                null,
                                null,
                                registration(actor, kid, key, registeredFrom, validUntil))));
                return "key " + kid + " of " + actor + " now valid until " + validUntil;
            }
            if (validUntil == null ? current == null : validUntil.equals(current)) {
                return "key " + kid + " is trusted for " + actor + " already; nothing changed";
            }
            throw new IllegalArgumentException("key " + kid + " of " + actor + " is valid until "
                    + (current == null ? "no end" : current) + ": a trusted key's validity may be shortened, never"
                    + " extended; trust a new key");
        });
    }

    private static Map<String, Object> registration(String actor, String kid, ECKey key, Instant from, Instant until) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("actor", actor);
        detail.put("kid", kid);
        detail.put("jwk", key.toPublicJWK().toJSONObject());
        detail.put("valid_from", from.toString());
        detail.put("valid_until", until == null ? null : until.toString());
        return detail;
    }

    /**
     * Refuses a change's key that is not registered for {@code actor}, or not valid now: the change would break the
     * chain.
     *
     * @throws IllegalArgumentException naming the command that registers it
     */
    public void requireRegistered(String actor, ECKey signer) throws SQLException {
        String kid = thumbprint(signer);
        Instant now = clock.instant();
        Transactions.inTransaction(dataSource, c -> {
            Validity validity = VALIDITY.one(
                    c,
                    VALIDITY.params().text("actor", actor).text("kid", kid),
                    rs -> new Validity(Times.instant(rs, 1), Times.instant(rs, 2)));
            if (validity == null) {
                throw new IllegalArgumentException("key " + kid + " is not registered for " + actor + ":"
                        + " register its public half first (sen-proxy keys trust --actor " + actor
                        + " --jwk PUBLIC.jwk)");
            }
            Instant from = validity.from();
            Instant until = validity.until();
            if (now.isBefore(from) || (until != null && !now.isBefore(until))) {
                throw new IllegalArgumentException("key " + kid + " of " + actor + " is not valid now (" + from + " .. "
                        + (until == null ? "" : until) + "): trust a new key");
            }
            return null;
        });
    }

    /** The key's RFC 7638 thumbprint (SHA-256, base64url): the kid change signatures and checkpoints carry. */
    public static String thumbprint(ECKey key) {
        try {
            return key.toPublicJWK().computeThumbprint().toString();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot compute a JWK thumbprint", e);
        }
    }
}
