package org.senproxy.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import com.nimbusds.jose.jwk.ECKey;
import org.jxmpp.jid.impl.JidCreate;
import org.senproxy.audit.AuditTrail;
import org.senproxy.audit.ProxyKeys;
import org.senproxy.consent.ConsentRequests;
import org.senproxy.db.Sql;
import org.senproxy.db.Times;
import org.senproxy.federation.AppKeys;
import org.senproxy.federation.ControlMessages;
import org.senproxy.federation.Enrollments;
import org.senproxy.federation.KeyRotation;
import org.senproxy.federation.OwnKeys;
import org.senproxy.runtime.StartupSettings;

/** What peers invite, join and list share: the proxy's enrollments, read with its own settings. */
final class Enrolling {

    private static final Sql PEERS = Sql.of(Enrolling.class, "peer-enrollment-list");
    private static final Sql INVITATIONS = Sql.of(Enrolling.class, "invitation-list");
    private static final Sql STATE = Sql.of(Enrolling.class, "enrollment-state");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,6})([smhd])");

    private Enrolling() {}

    /**
     * The proxy's control messages, as the proxy itself would write them: its JID and its keys, in {@code dataSource}
     * (the database brought up to date once).
     */
    private static ControlMessages control(ProxyDatabase database, DataSource dataSource) {
        StartupSettings settings = database.settings();
        String jid = settings.get("senproxy.xmpp.jid");
        if (jid == null || jid.isBlank()) {
            throw new IllegalArgumentException("senproxy.xmpp.jid is not set: this proxy has no address to give");
        }
        try {
            jid = JidCreate.entityBareFrom(jid).toString();
        } catch (Exception e) {
            throw new IllegalArgumentException("senproxy.xmpp.jid '" + jid + "' is not a bare JID");
        }
        String keyFile = settings.get("senproxy.signing.key-file");
        if (keyFile == null || keyFile.isBlank()) {
            throw new IllegalArgumentException(
                    "senproxy.signing.key-file is not set: the control plane exchanges keys, this proxy needs one"
                            + " (keys generate)");
        }
        ECKey key;
        Path file = Path.of(keyFile).toAbsolutePath();
        try {
            key = ProxyKeys.read(file);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "cannot read senproxy.signing.key-file " + keyFile + ": " + e.getMessage());
        }
        if (!key.isPrivate()) {
            throw new IllegalArgumentException("senproxy.signing.key-file " + keyFile + " holds a public key only");
        }
        OwnKeys keys = new OwnKeys(key, file.getParent());
        try {
            keys.refresh(dataSource);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read this proxy's keys: " + e.getMessage(), e);
        }
        return new ControlMessages(dataSource, audit(dataSource), jid, keys);
    }

    static AuditTrail audit(DataSource dataSource) {
        return new AuditTrail(dataSource, Clock.systemUTC());
    }

    /** The proxy's enrollments, as the proxy itself would make them: its JID and its signing key. */
    static Enrollments enrollments(ProxyDatabase database) {
        DataSource dataSource = database.migrated();
        ControlMessages control = control(database, dataSource);
        return new Enrollments(control, dataSource, audit(dataSource), Enrollments.DEFAULT_MAX_REQUESTS_PER_HOUR);
    }

    /** The proxy's key rotation. */
    static KeyRotation rotation(ProxyDatabase database) {
        DataSource dataSource = database.migrated();
        ControlMessages control = control(database, dataSource);
        return new KeyRotation(control, dataSource, audit(dataSource));
    }

    /** The proxy's consent requests (they need neither its JID nor its keys: the running proxy signs them). */
    static ConsentRequests requests(DataSource dataSource) {
        return new ConsentRequests(null, dataSource, audit(dataSource));
    }

    /** {@code 24h}, {@code 90m}, {@code 2d}, {@code 3600s}. */
    static Duration duration(String text) {
        Matcher m = DURATION.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a duration: a number and s, m, h or d (e.g. 24h)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** How an enrollment request stands: {@code pending}, {@code enrolled} or {@code refused: reason}. */
    static String state(DataSource dataSource, String messageId) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            return STATE.one(c, STATE.params().text("message_id", messageId), rs -> {
                String status = rs.getString(1);
                String enrollment = rs.getString(3);
                if ("enrolled".equals(enrollment)) {
                    return "enrolled";
                }
                if ("dead".equals(status)) {
                    return "refused: " + rs.getString(2);
                }
                return "pending";
            });
        }
    }

    /** The apps with their enrollment and keys (kid, thumbprint), then the invitations. */
    static void print(PrintWriter out, DataSource dataSource) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            out.println("enrollment:");
            try (PreparedStatement ps = PEERS.prepare(c, PEERS.params());
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String enrollment = rs.getString(3) == null ? "registered by hand" : rs.getString(3);
                    String request = rs.getString(8) == null ? "" : " (request " + rs.getString(8) + ")";
                    String key = rs.getString(5) == null
                            ? "no key"
                            : "key " + rs.getString(5) + " " + thumbprint(rs.getString(6))
                                    + (rs.getBoolean(7) ? "" : " (not valid)");
                    out.printf(
                            "  %-24s %-36s %-10s%s  %s%n",
                            rs.getString(1),
                            rs.getString(2),
                            enrollment + request,
                            rs.getObject(4) == null ? "" : " " + Times.instant(rs, 4),
                            key);
                }
            }
            try (PreparedStatement ps = INVITATIONS.prepare(c, INVITATIONS.params());
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String state = rs.getObject(4) != null
                            ? "used " + Times.instant(rs, 4) + " by " + rs.getString(5)
                            : rs.getBoolean(6)
                                    ? "expired " + Times.instant(rs, 3)
                                    : "open until " + Times.instant(rs, 3);
                    out.printf("invitation %s for %s: %s%n", rs.getString(1), rs.getString(2), state);
                }
            }
        }
    }

    private static String thumbprint(String jwk) {
        try {
            return AppKeys.thumbprint(ECKey.parse(jwk));
        } catch (ParseException e) {
            return "(unreadable key)";
        }
    }
}
