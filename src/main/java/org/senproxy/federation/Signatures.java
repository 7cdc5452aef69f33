package org.senproxy.federation;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import com.github.benmanes.caffeine.cache.Cache;
import com.nimbusds.jose.jwk.ECKey;
import org.senproxy.db.Lookups;

/**
 * The receiving side of {@link MessageSignatures}: a message from an app that has registered public keys (table
 * app_key, valid now) must carry a valid signature by one of them, or it is refused (a dead letter, and the sender
 * is told). An app without keys is refused too, unless {@code senproxy.signing.required} is false (it is true by
 * default): then apps can move to signing one by one, and once all have keys the setting closes the door again.
 * An app's keys are remembered for {@code senproxy.inbound.lookup-cache-ms} (see {@link Lookups}): a key registered,
 * or one that stops being valid, counts within that time.
 */
public class Signatures {

    private static final String KEYS = "SELECT k.jwk FROM app_key k JOIN app a ON a.id = k.app_id WHERE a.jid = ?"
            + " AND k.valid_from <= now() AND (k.valid_until IS NULL OR k.valid_until > now())";

    private final DataSource dataSource;
    private final String ownJid;
    private final boolean required;
    private final Duration maxAge;
    private final Clock clock;
    private final Cache<String, List<ECKey>> remembered;

    public Signatures(DataSource dataSource, String ownJid, boolean required, Duration maxAge, Clock clock,
            Duration remember) {
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
        List<ECKey> keys = keys(message.senderJid());
        if (keys.isEmpty()) {
            if (required) {
                throw new FederationException("signature refused: " + message.senderJid() + " has no registered key"
                        + " and this proxy accepts signed messages only", true);
            }
            return message;
        }
        return message.verified(MessageSignatures.verify(message.signature(), keys, ownJid, message, clock, maxAge));
    }

    /** The public keys of the app at this address valid now. */
    public List<ECKey> keys(String jid) throws SQLException {
        List<ECKey> keys = remembered.getIfPresent(jid);
        if (keys != null) {
            return keys;
        }
        keys = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(KEYS)) {
            ps.setString(1, jid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    try {
                        keys.add(ECKey.parse(rs.getString(1)).toPublicJWK());
                    } catch (ParseException e) {
                        throw new IllegalStateException("a registered key of " + jid + " is not an EC JWK", e);
                    }
                }
            }
        }
        if (!keys.isEmpty()) {
            remembered.put(jid, List.copyOf(keys));
        }
        return keys;
    }
}
