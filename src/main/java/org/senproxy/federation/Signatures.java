package org.senproxy.federation;

import java.sql.Connection;
import java.sql.SQLException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import javax.sql.DataSource;

import com.github.benmanes.caffeine.cache.Cache;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.SignedJWT;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import org.senproxy.db.Lookups;
import org.senproxy.db.Sql;
import org.senproxy.db.Times;

/**
 * The receiving side of {@link MessageSignatures}: a message from an app that has registered public keys (table
 * app_key, valid now) must carry a valid signature by one of them, or it is refused (a dead letter, and the sender
 * is told). An app without keys is refused too, unless {@code senproxy.signing.required} is false (it is true by
 * default): then apps can move to signing one by one, and once all have keys the setting closes the door again. An
 * app that has keys, none of them valid now (expired, not yet valid), is refused whatever the setting: once an app had
 * a key, it must sign.
 * An app's keys are remembered for {@code senproxy.inbound.lookup-cache-ms} (see {@link Lookups}): a key registered,
 * or one that stops being valid, counts within that time.
 */
public class Signatures {

    /** Every key the app ever had, with whether it is valid now: an app that had a key must sign, even if none is. */
    private static final Sql KEYS = Sql.of(Signatures.class, "signature-keys");

    /** A key of the app as registered, whether it is valid now, and its revocation. */
    private record Registered(String jwk, boolean validNow, String kid, Instant revokedAt, String revokedReason) {}

    /** An app's keys valid now, whether it has any registered at all, and why each revoked one was. */
    private record KnownKeys(List<ECKey> valid, boolean any, Map<String, String> revoked) {

        boolean knows(String kid) {
            return kid == null || revoked.containsKey(kid) || valid.stream().anyMatch(k -> kid.equals(k.getKeyID()));
        }
    }

    private final DataSource dataSource;
    private final String ownJid;
    private final boolean required;
    private final Duration maxAge;
    private final Clock clock;
    private final Cache<String, KnownKeys> remembered;
    private final LongAdder verified = new LongAdder();

    public Signatures(
            DataSource dataSource, String ownJid, boolean required, Duration maxAge, Clock clock, Duration remember) {
        this.remembered = Lookups.cache(remember);
        this.dataSource = dataSource;
        this.ownJid = ownJid;
        this.required = required;
        this.maxAge = maxAge;
        this.clock = clock;
    }

    /**
     * Passes a message whose signature holds (with the digest it checked) or that need not be signed through; refuses
     * the others.
     */
    public FederationMessage verify(FederationMessage message) throws SQLException {
        KnownKeys keys = known(message.senderJid());
        SignedJWT jwt = MessageSignatures.parsed(message.signature()); // read once, checked below
        String kid = jwt == null ? null : jwt.getHeader().getKeyID();
        if (!keys.knows(kid)) {
            // a key announced since the keys were read (a rotation): read them again, once
            remembered.invalidate(message.senderJid());
            keys = known(message.senderJid());
        }
        if (kid != null && keys.revoked().containsKey(kid)) {
            throw new FederationException(
                    "signature refused: key " + kid + " of " + message.senderJid() + " was revoked: "
                            + keys.revoked().get(kid),
                    true);
        }
        if (keys.valid().isEmpty()) {
            if (keys.any()) {
                // with senproxy.signing.required=false too: an app that had a key must always sign
                throw new FederationException(
                        "signature refused: no key of " + message.senderJid() + " is valid"
                                + " now (every registered one expired or is not yet valid), and an app that had a key must"
                                + " sign",
                        true);
            }
            if (required) {
                throw new FederationException(
                        "signature refused: " + message.senderJid() + " has no registered key"
                                + " and this proxy accepts signed messages only",
                        true);
            }
            return message;
        }
        FederationMessage checked = message.verified(
                MessageSignatures.verify(message.signature(), jwt, keys.valid(), ownJid, message, clock, maxAge));
        verified.increment();
        return checked;
    }

    /** Messages whose signature this proxy checked and found good since it started. */
    public long verifiedCount() {
        return verified.sum();
    }

    /** {@code senproxy_inbound_signatures_verified_total}: {@link #verifiedCount()} as a Prometheus counter. */
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("senproxy.inbound.signatures.verified", this, Signatures::verifiedCount)
                .description("inbound messages whose signature was checked and found good")
                .register(registry);
    }

    /** Forgets the keys remembered for the app at this address (they changed: a rotation, a revocation). */
    public void forget(String jid) {
        remembered.invalidate(jid);
    }

    /** The public keys of the app at this address valid now. */
    public List<ECKey> keys(String jid) throws SQLException {
        return known(jid).valid();
    }

    private KnownKeys known(String jid) throws SQLException {
        KnownKeys cached = remembered.getIfPresent(jid);
        if (cached != null) {
            return cached;
        }
        List<ECKey> keys = new ArrayList<>();
        Map<String, String> revoked = new HashMap<>();
        boolean any = false;
        try (Connection c = dataSource.getConnection()) {
            for (Registered k : KEYS.query(
                    c,
                    KEYS.params().text("app_jid", jid),
                    rs -> new Registered(
                            rs.getString(1),
                            rs.getBoolean(2),
                            rs.getString(3),
                            Times.instant(rs, 4),
                            rs.getString(5)))) {
                any = true;
                if (k.revokedAt() != null) {
                    revoked.put(k.kid(), "at " + k.revokedAt() + ", " + k.revokedReason());
                }
                if (!k.validNow()) {
                    continue;
                }
                try {
                    keys.add(ECKey.parse(k.jwk()).toPublicJWK());
                } catch (ParseException e) {
                    throw new IllegalStateException("a registered key of " + jid + " is not an EC JWK", e);
                }
            }
        }
        KnownKeys found = new KnownKeys(List.copyOf(keys), any, Map.copyOf(revoked));
        if (any) {
            remembered.put(jid, found);
        }
        return found;
    }
}
