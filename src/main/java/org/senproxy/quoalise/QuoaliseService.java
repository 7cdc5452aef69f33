package org.senproxy.quoalise;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.senproxy.audit.AuditEvent;
import org.senproxy.audit.AuditTrail;
import org.senproxy.audit.Transfers;
import org.senproxy.consent.Scope;
import org.senproxy.senml.Measurement;
import org.senproxy.senml.Senml;

/**
 * What the Quoalise ad-hoc commands do, apart from XMPP: {@code get_history} reads a stored series for a period,
 * {@code subscribe} and {@code unsubscribe} start and end pushing a series to the client. The requester is the bare
 * JID the XMPP server authenticated; it must be a registered app holding a consent in force whose scope covers the
 * series. Every answer and subscription change is audited.
 *
 * <p>The stored series are the records the connectors took (table {@code source_record}, kept
 * {@code senproxy.retention.keys-days}): history goes back that far. A subscription is a consumer of the connector
 * that yields the series, under the requester's consent, whose messages are done once written (a Quoalise client
 * sends no acknowledgement).
 */
public class QuoaliseService {

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9][-A-Za-z0-9:./_]{0,254}");

    private static final String CONSENTS = "SELECT k.id, k.ref::text, k.scope, k.app_id, k.user_id, u.external_id"
            + " FROM consent k JOIN app a ON a.id = k.app_id JOIN federated_user u ON u.id = k.user_id"
            + " WHERE a.jid = ? AND k.revoked_at IS NULL AND k.valid_from <= now() AND k.valid_until > now()"
            + " ORDER BY k.id";

    private static final String HISTORY = "SELECT record FROM source_record WHERE name = ? AND time_us >= ?"
            + " AND time_us < ? AND record IS NOT NULL ORDER BY time_us, source LIMIT ?";

    private final DataSource dataSource;
    private final AuditTrail audit;
    private final String ownJid;
    private final int maxRecords;

    /** @param maxRecords the most records one get_history answers (later ones are left out, and the answer says so) */
    public QuoaliseService(DataSource dataSource, AuditTrail audit, String ownJid, int maxRecords) {
        this.dataSource = dataSource;
        this.audit = audit;
        this.ownJid = ownJid;
        this.maxRecords = maxRecords;
    }

    /** The consent under which a requester gets a series. */
    record Grant(long consentId, String ref, long appId, long userId, String user) {
    }

    /** The records of a series in [start, end), oldest first; {@code truncated} when more were left out. */
    public record History(String identifier, List<Measurement> records, boolean truncated) {
    }

    public History history(String requester, String identifier, String start, String end)
            throws QuoaliseError, SQLException {
        checkIdentifier(identifier);
        Instant from = instant("start_time", start);
        Instant to = instant("end_time", end);
        if (!from.isBefore(to)) {
            throw new QuoaliseError(QuoaliseError.Condition.BAD_REQUEST, "start_time " + start
                    + " is not before end_time " + end);
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Grant grant = grant(c, requester, identifier);
                List<Measurement> records = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement(HISTORY)) {
                    ps.setString(1, identifier);
                    ps.setLong(2, micros(from));
                    ps.setLong(3, micros(to));
                    ps.setInt(4, maxRecords + 1);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            records.addAll(Senml.resolve(Senml.parseJson(rs.getString(1)), 0));
                        }
                    }
                }
                boolean truncated = records.size() > maxRecords;
                if (truncated) {
                    records = records.subList(0, maxRecords);
                }
                Map<String, Object> detail = new LinkedHashMap<>();
                detail.put("command", "get_history");
                detail.put("to", requester);
                detail.put("asked", Map.of("start_time", start, "end_time", end));
                detail.putAll(Transfers.describe(records));
                audit.append(c, List.of(AuditEvent.of("transfer.history", ownJid, grant.user(), grant.ref(),
                        detail)));
                c.commit();
                return new History(identifier, List.copyOf(records), truncated);
            } catch (SQLException | RuntimeException | QuoaliseError e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * Pushes the series to the requester from now on: a consumer of the connector that yields it, under the
     * requester's consent. Subscribing twice is one subscription.
     *
     * @return the ref of the consent the data is pushed under
     */
    public String subscribe(String requester, String identifier) throws QuoaliseError, SQLException {
        checkIdentifier(identifier);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Grant grant = grant(c, requester, identifier);
                String source;
                try (PreparedStatement ps = c.prepareStatement("SELECT source FROM source_record WHERE name = ?"
                        + " ORDER BY time_us DESC LIMIT 1")) {
                    ps.setString(1, identifier);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new QuoaliseError(QuoaliseError.Condition.ITEM_NOT_FOUND, "no series " + identifier
                                    + " here: no connector of this proxy has yielded it");
                        }
                        source = rs.getString(1);
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO consumer (source, series_prefix, app_id,"
                        + " user_id, consent_id, acknowledges) SELECT ?, ?, ?, ?, ?, false WHERE NOT EXISTS ("
                        + " SELECT 1 FROM consumer WHERE active AND NOT acknowledges AND source = ?"
                        + " AND series_prefix = ? AND app_id = ? AND consent_id = ?)")) {
                    ps.setString(1, source);
                    ps.setString(2, identifier);
                    ps.setLong(3, grant.appId());
                    ps.setLong(4, grant.userId());
                    ps.setLong(5, grant.consentId());
                    ps.setString(6, source);
                    ps.setString(7, identifier);
                    ps.setLong(8, grant.appId());
                    ps.setLong(9, grant.consentId());
                    ps.executeUpdate();
                }
                audit.append(c, List.of(AuditEvent.of("subscription.requested", requester, grant.user(), grant.ref(),
                        detail("subscribe", identifier, source))));
                c.commit();
                return grant.ref();
            } catch (SQLException | RuntimeException | QuoaliseError e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Stops pushing the series to the requester. */
    public void unsubscribe(String requester, String identifier) throws QuoaliseError, SQLException {
        checkIdentifier(identifier);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                String ref = null;
                String user = null;
                int ended = 0;
                try (PreparedStatement ps = c.prepareStatement("UPDATE consumer c SET active = false FROM app a,"
                        + " consent k, federated_user u WHERE c.active AND NOT c.acknowledges AND c.series_prefix = ?"
                        + " AND a.id = c.app_id AND a.jid = ? AND k.id = c.consent_id AND u.id = k.user_id"
                        + " RETURNING k.ref::text, u.external_id")) {
                    ps.setString(1, identifier);
                    ps.setString(2, requester);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            ref = rs.getString(1);
                            user = rs.getString(2);
                            ended++;
                        }
                    }
                }
                if (ended == 0) {
                    throw new QuoaliseError(QuoaliseError.Condition.ITEM_NOT_FOUND, requester
                            + " has no subscription to " + identifier);
                }
                audit.append(c, List.of(AuditEvent.of("subscription.ended", requester, user, ref,
                        detail("unsubscribe", identifier, null))));
                c.commit();
            } catch (SQLException | RuntimeException | QuoaliseError e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static Map<String, Object> detail(String command, String identifier, String source) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("command", command);
        detail.put("identifier", identifier);
        if (source != null) {
            detail.put("source", source);
        }
        return detail;
    }

    /** The requester's consent in force that covers the series, or not-authorized saying why. */
    private static Grant grant(Connection c, String requester, String identifier) throws SQLException, QuoaliseError {
        boolean anyConsent = false;
        try (PreparedStatement ps = c.prepareStatement(CONSENTS)) {
            ps.setString(1, requester);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    anyConsent = true;
                    if (Scope.parse(rs.getString(3)).covers(identifier)) {
                        return new Grant(rs.getLong(1), rs.getString(2), rs.getLong(4), rs.getLong(5),
                                rs.getString(6));
                    }
                }
            }
        }
        throw new QuoaliseError(QuoaliseError.Condition.NOT_AUTHORIZED, anyConsent
                ? "no consent of " + requester + " in force covers " + identifier
                : requester + " holds no consent in force here (unknown app, or none granted)");
    }

    private static void checkIdentifier(String identifier) throws QuoaliseError {
        if (identifier == null || !IDENTIFIER.matcher(identifier).matches()) {
            throw new QuoaliseError(QuoaliseError.Condition.BAD_REQUEST, "identifier '" + identifier
                    + "' is not a SenML name (RFC 8428: letters, digits and - : . / _, starting with a letter or"
                    + " digit)");
        }
    }

    /** An ISO 8601 instant, date-time with offset, or date (midnight UTC). */
    static Instant instant(String field, String value) throws QuoaliseError {
        if (value == null || value.isBlank()) {
            throw new QuoaliseError(QuoaliseError.Condition.BAD_REQUEST, field + " is missing");
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException notWithOffset) {
            try {
                return Instant.parse(value);
            } catch (DateTimeParseException notInstant) {
                try {
                    return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
                } catch (DateTimeParseException notDate) {
                    throw new QuoaliseError(QuoaliseError.Condition.BAD_REQUEST, field + " '" + value
                            + "' is not an ISO 8601 date or date-time");
                }
            }
        }
    }

    private static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    }
}
