package org.senproxy.federation;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import javax.sql.DataSource;

/** The federated applications this proxy knows (the app table): only they may send it data. */
public class Peers {

    private final DataSource dataSource;

    public Peers(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Passes a message from a known app through; refuses one from an unknown address. */
    public FederationMessage authorize(FederationMessage message) throws SQLException {
        if (!isKnown(message.senderJid())) {
            throw new FederationException("unknown sender " + message.senderJid() + ": not a registered app", false);
        }
        return message;
    }

    public boolean isKnown(String bareJid) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM app WHERE jid = ?")) {
            ps.setString(1, bareJid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
