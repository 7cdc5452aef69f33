package org.senproxy.federation;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

import javax.sql.DataSource;

import com.github.benmanes.caffeine.cache.Cache;
import org.senproxy.db.Lookups;
import org.senproxy.db.Sql;
import org.senproxy.switches.Switches;

/**
 * The federated applications this proxy knows (the app table): only they may send it data. A known address is
 * remembered for {@code senproxy.inbound.lookup-cache-ms}, so that a stream of messages does not read the table once
 * each; an unknown one is looked up every time (an app registered a moment ago is known at once).
 */
public class Peers {

    private static final Sql KNOWN = Sql.of(Peers.class, "peer-known");
    private static final Sql JIDS = Sql.of(Peers.class, "peer-jids");

    private final DataSource dataSource;
    private final Cache<String, Boolean> known;
    private volatile Switches switches;

    public Peers(DataSource dataSource, Duration remember) {
        this.dataSource = dataSource;
        this.known = Lookups.cache(remember);
    }

    /** The kill-switch: messages from a suspended app are deferred ({@link PeerSuspended}). */
    public void obey(Switches switches) {
        this.switches = switches;
    }

    /**
     * Passes a message from a known app through; refuses one from an unknown address, and defers one from an app
     * this proxy's operator suspended.
     */
    public FederationMessage authorize(FederationMessage message) throws SQLException {
        if (!isKnown(message.senderJid())) {
            throw new FederationException("unknown sender " + message.senderJid() + ": not a registered app", false);
        }
        Switches obeyed = switches;
        if (obeyed != null) {
            obeyed.suspension(message.senderJid()).ifPresent(s -> {
                throw new PeerSuspended("suspended by the receiving proxy's operator"
                        + (s.reason() == null ? "" : ": " + s.reason())
                        + "; keep the message and send it again later");
            });
        }
        return message;
    }

    /** The addresses (bare JIDs) of every registered app. */
    public List<String> jids() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return JIDS.query(c, JIDS.params(), rs -> rs.getString(1));
        }
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
