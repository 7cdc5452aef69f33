package org.senproxy.federation;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

import javax.sql.DataSource;

import com.github.benmanes.caffeine.cache.Cache;
import org.senproxy.db.Lookups;
import org.senproxy.db.Sql;

/**
 * The federated applications this proxy knows (the app table): only they may send it data. A known address is
 * remembered for {@code senproxy.inbound.lookup-cache-ms}, so that a stream of messages does not read the table once
 * each; an unknown one is looked up every time (an app registered a moment ago is known at once).
 */
public class Peers {

    private static final Sql KNOWN = Sql.of(Peers.class, "peer-known");

    private final DataSource dataSource;
    private final Cache<String, Boolean> known;

    public Peers(DataSource dataSource, Duration remember) {
        this.dataSource = dataSource;
        this.known = Lookups.cache(remember);
    }

    /** Passes a message from a known app through; refuses one from an unknown address. */
    public FederationMessage authorize(FederationMessage message) throws SQLException {
        if (!isKnown(message.senderJid())) {
            throw new FederationException("unknown sender " + message.senderJid() + ": not a registered app", false);
        }
        return message;
    }

    public boolean isKnown(String bareJid) throws SQLException {
        if (known.getIfPresent(bareJid) != null) {
            return true;
        }
        try (Connection c = dataSource.getConnection()) {
            if (KNOWN.one(c, KNOWN.params().text("jid", bareJid), rs -> Boolean.TRUE) == null) {
                return false;
            }
        }
        known.put(bareJid, Boolean.TRUE);
        return true;
    }
}
