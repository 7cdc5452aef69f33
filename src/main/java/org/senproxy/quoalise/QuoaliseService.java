package org.senproxy.quoalise;

import static org.senproxy.db.Times.micros;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.senproxy.audit.AuditEvent;
import org.senproxy.audit.AuditTrail;
import org.senproxy.audit.Transfers;
import org.senproxy.consent.DataPeriod;
import org.senproxy.consent.Scope;
import org.senproxy.consent.WithheldRecords;
import org.senproxy.db.Sql;
import org.senproxy.db.Times;
import org.senproxy.db.Transactions;
import org.senproxy.senml.Measurement;
import org.senproxy.senml.Senml;
import org.senproxy.switches.Switches;

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
 *
 * <p>The consent bounds the data as well as the access: a history answer holds only records measured in the consent's
 * data period, whatever period was asked (the others are counted, and the answer says how many were left out), and a
 * subscription's pushes go through the outbox, which checks each record's time the same way. Without
 * {@code start_time} and {@code end_time}, the answer covers the default window, the last
 * {@code senproxy.quoalise.default-history-hours} up to now; a start alone answers up to now, an end alone the window
 * before it. A time without an offset is UTC.
 *
 * <p>Errors, in this order: {@code forbidden} (get_history and subscribe from an app this proxy's operator suspended,
 * the kill-switch: the text gives the operator's reason), {@code bad-request} (malformed identifier or time),
 * {@code not-authorized} (no consent of the requester in force covers the series, whether or not it exists: no
 * existence oracle), {@code item-not-found} (a series in the scope that this proxy neither declares nor ever stored).
 * A suspended app may still unsubscribe: that only lessens what it is sent once resumed.
 */
public class QuoaliseService {

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9][-A-Za-z0-9:./_]{0,254}");

    private static final Sql CONSENTS = Sql.of(QuoaliseService.class, "quoalise-consents");
    private static final Sql HISTORY = Sql.of(QuoaliseService.class, "quoalise-history");
    private static final Sql OUTSIDE = Sql.of(QuoaliseService.class, "quoalise-outside");
    private static final Sql SERIES_EXISTS = Sql.of(QuoaliseService.class, "quoalise-series-exists");
    private static final Sql SERIES_SOURCE = Sql.of(QuoaliseService.class, "quoalise-series-source");
    private static final Sql SUBSCRIBE = Sql.of(QuoaliseService.class, "quoalise-subscribe");
    private static final Sql UNSUBSCRIBE = Sql.of(QuoaliseService.class, "quoalise-unsubscribe");

    private final DataSource dataSource;
    private final AuditTrail audit;
    private final String ownJid;
    private final int maxRecords;
    private final Duration defaultWindow;
    private final Predicate<String> declared;
    private final Clock clock;
    private volatile WithheldRecords withheld = WithheldRecords.NONE;
    private volatile Switches switches;

    /** @param maxRecords the most records one get_history answers (later ones are left out, and the answer says so) */
    public QuoaliseService(DataSource dataSource, AuditTrail audit, String ownJid, int maxRecords) {
        this(dataSource, audit, ownJid, maxRecords, Duration.ofHours(24), name -> false, Clock.systemUTC());
    }

    /**
     * @param defaultWindow what get_history answers without a period: this long, up to now
     *                      ({@code senproxy.quoalise.default-history-hours})
     * @param declared      whether the catalogue declares a series (it exists even before its first record)
     */
    public QuoaliseService(
            DataSource dataSource,
            AuditTrail audit,
            String ownJid,
            int maxRecords,
            Duration defaultWindow,
            Predicate<String> declared,
            Clock clock) {
        this.dataSource = dataSource;
        this.audit = audit;
        this.ownJid = ownJid;
        this.maxRecords = maxRecords;
        this.defaultWindow = defaultWindow;
        this.declared = declared;
        this.clock = clock;
    }

    /** Where the records a history answer leaves out for the data period are counted (path {@code history}). */
    public void countWithheld(WithheldRecords counter) {
        this.withheld = counter;
    }

    /** The kill-switch: get_history and subscribe from a suspended app are refused ({@link #admit}). */
    public void obey(Switches switches) {
        this.switches = switches;
    }

    /**
     * Refuses a requester whose app this proxy's operator suspended ({@code peers suspend NAME --reason ...}): a
     * {@code forbidden} error whose text gives the reason. The switches are those last read (every
     * {@code senproxy.switch.refresh-ms}), so every replica refuses within that time.
     */
    public void admit(String requester) throws QuoaliseError {
        Switches obeyed = switches;
        if (obeyed == null) {
            return;
        }
        var suspension = obeyed.suspension(requester);
        if (suspension.isPresent()) {
            String reason = suspension.get().reason();
            throw new QuoaliseError(
                    QuoaliseError.Condition.FORBIDDEN,
                    requester + " is suspended by this proxy's operator"
                            + (reason == null ? "" : ": " + reason)
                            + "; nothing is answered until it is resumed");
        }
    }

    /** The consent under which a requester gets a series, and the measurement times it covers. */
    record Grant(long consentId, String ref, long appId, long userId, String user, DataPeriod data) {}

    /** A consent of the requester in force: its scope, and the grant it is if the scope covers the series. */
    private record Held(String scope, Grant grant) {}

    /**
     * The records of a series in [from, to), oldest first, as far as the consent's data period covers them;
     * {@code truncated} when later ones were left out for the size limit, {@code outsideDataPeriod} how many in
     * [from, to) the data period left out, {@code defaulted} when the client gave no period (or one bound only).
     */
    public record History(
            String identifier,
            List<Measurement> records,
            boolean truncated,
            Instant from,
            Instant to,
            boolean defaulted,
            DataPeriod data,
            long outsideDataPeriod) {

        public History(String identifier, List<Measurement> records, boolean truncated) {
            this(identifier, records, truncated, null, null, false, null, 0);
        }
    }

    public History history(String requester, String identifier, String start, String end)
            throws QuoaliseError, SQLException {
        admit(requester);
        checkIdentifier(identifier);
        Instant now = clock.instant();
        Instant asked = optionalInstant("start_time", start);
        Instant askedEnd = optionalInstant("end_time", end);
        Instant to =
                askedEnd != null ? askedEnd : asked != null && asked.isAfter(now) ? asked.plus(defaultWindow) : now;
        Instant from = asked != null ? asked : to.minus(defaultWindow);
        if (!from.isBefore(to)) {
            throw new QuoaliseError(
                    QuoaliseError.Condition.BAD_REQUEST, "start_time " + from + " is not before end_time " + to);
        }
        boolean defaulted = asked == null || askedEnd == null;
        return Transactions.inTransaction(dataSource, c -> {
            Grant grant = grant(c, requester, identifier);
            // what the data period lets out of [from, to)
            long lowest = Math.max(micros(from), micros(grant.data().from()));
            long highest = grant.data().until() == null
                    ? micros(to)
                    : Math.min(micros(to), micros(grant.data().until()));
            long outside = 0;
            if (lowest > micros(from) || highest < micros(to)) {
                outside = OUTSIDE.one(
                        c,
                        OUTSIDE.params()
                                .text("name", identifier)
                                .set("from_us", micros(from))
                                .set("to_us", micros(to))
                                .set("lowest_us", lowest)
                                .set("highest_us", highest),
                        rs -> rs.getLong(1));
            }
            List<Measurement> records = new ArrayList<>();
            for (List<Measurement> stored : HISTORY.query(
                    c,
                    HISTORY.params()
                            .text("name", identifier)
                            .set("from_us", lowest)
                            .set("to_us", Math.max(lowest, highest))
                            .set("max_rows", maxRecords + 1),
                    rs -> Senml.resolve(Senml.parseJson(rs.getString(1)), 0))) {
                records.addAll(stored);
            }
            if (records.isEmpty() && outside == 0) {
                exists(c, identifier); // nothing found: is there such a series at all?
            }
            boolean truncated = records.size() > maxRecords;
            if (truncated) {
                records = records.subList(0, maxRecords);
            }
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("command", "get_history");
            detail.put("to", requester);
            Map<String, Object> askedFor = new LinkedHashMap<>();
            askedFor.put("start_time", start);
            askedFor.put("end_time", end);
            detail.put("asked", askedFor);
            detail.put("answered", Map.of("from", from.toString(), "until", to.toString()));
            detail.put("data_period", grant.data().text());
            detail.put("outside_data_period", outside);
            detail.putAll(Transfers.describe(records));
            audit.append(c, List.of(AuditEvent.of("transfer.history", ownJid, grant.user(), grant.ref(), detail)));
            if (outside > 0) {
                withheld.count("history", outside);
            }
            return new History(identifier, List.copyOf(records), truncated, from, to, defaulted, grant.data(), outside);
        });
    }

    /** item-not-found for a series that this proxy neither declares nor ever stored (once the scope covers it). */
    private void exists(Connection c, String identifier) throws SQLException, QuoaliseError {
        if (declared.test(identifier)) {
            return;
        }
        if (!SERIES_EXISTS.one(c, SERIES_EXISTS.params().text("name", identifier), rs -> rs.getBoolean(1))) {
            throw new QuoaliseError(
                    QuoaliseError.Condition.ITEM_NOT_FOUND,
                    "no series " + identifier + " here: no connector of this proxy declares or has yielded it");
        }
    }

    /**
     * Pushes the series to the requester from now on: a consumer of the connector that yields it, under the
     * requester's consent. Subscribing twice is one subscription.
     *
     * @return the ref of the consent the data is pushed under
     */
    public String subscribe(String requester, String identifier) throws QuoaliseError, SQLException {
        admit(requester);
        checkIdentifier(identifier);
        return Transactions.inTransaction(dataSource, c -> {
            Grant grant = grant(c, requester, identifier);
            String source =
                    SERIES_SOURCE.one(c, SERIES_SOURCE.params().text("name", identifier), rs -> rs.getString(1));
            if (source == null) { // source is NOT NULL: null is no row
                throw new QuoaliseError(
                        QuoaliseError.Condition.ITEM_NOT_FOUND,
                        "no series " + identifier + " here: no connector of this proxy has yielded it");
            }
            SUBSCRIBE.update(
                    c,
                    SUBSCRIBE
                            .params()
                            .text("source", source)
                            .text("name", identifier)
                            .set("app_id", grant.appId())
                            .set("user_id", grant.userId())
                            .set("consent_id", grant.consentId()));
            audit.append(
                    c,
                    List.of(AuditEvent.of(
                            "subscription.requested",
                            requester,
                            grant.user(),
                            grant.ref(),
                            detail("subscribe", identifier, source))));
            return grant.ref();
        });
    }

    /** Stops pushing the series to the requester. */
    public void unsubscribe(String requester, String identifier) throws QuoaliseError, SQLException {
        checkIdentifier(identifier);
        Transactions.inTransaction(dataSource, c -> {
            // every subscription of the requester to the series ends; the audit entry names the last one's consent
            List<String[]> ended = UNSUBSCRIBE.query(
                    c, UNSUBSCRIBE.params().text("name", identifier).text("requester", requester), rs ->
                            new String[] {rs.getString(1), rs.getString(2)});
            if (ended.isEmpty()) {
                throw new QuoaliseError(
                        QuoaliseError.Condition.ITEM_NOT_FOUND, requester + " has no subscription to " + identifier);
            }
            String[] last = ended.get(ended.size() - 1);
            audit.append(
                    c,
                    List.of(AuditEvent.of(
                            "subscription.ended",
                            requester,
                            last[1],
                            last[0],
                            detail("unsubscribe", identifier, null))));
            return null;
        });
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
        List<Held> consents = CONSENTS.query(
                c,
                CONSENTS.params().text("requester", requester),
                rs -> new Held(
                        rs.getString(3),
                        new Grant(
                                rs.getLong(1),
                                rs.getString(2),
                                rs.getLong(4),
                                rs.getLong(5),
                                rs.getString(6),
                                new DataPeriod(Times.instant(rs, 7), Times.instant(rs, 8)))));
        for (Held held : consents) {
            if (Scope.parse(held.scope()).covers(identifier)) {
                return held.grant();
            }
        }
        throw new QuoaliseError(
                QuoaliseError.Condition.NOT_AUTHORIZED,
                !consents.isEmpty()
                        ? "no consent of " + requester + " in force covers " + identifier
                        : requester + " holds no consent in force here (unknown app, or none granted)");
    }

    private static void checkIdentifier(String identifier) throws QuoaliseError {
        if (identifier == null || !IDENTIFIER.matcher(identifier).matches()) {
            throw new QuoaliseError(
                    QuoaliseError.Condition.BAD_REQUEST,
                    "identifier '" + identifier
                            + "' is not a SenML name (RFC 8428: letters, digits and - : . / _, starting with a letter or"
                            + " digit)");
        }
    }

    /** {@link #instant}, or null for a field not given (empty or absent): the default window then applies. */
    static Instant optionalInstant(String field, String value) throws QuoaliseError {
        return value == null || value.isBlank() ? null : instant(field, value);
    }

    /**
     * An ISO 8601 time: a date-time with an offset ({@code 2021-12-01T00:00+01:00}, {@code ...Z}), a date-time without
     * one ({@code 2021-12-01T00:00:00}, what Python's {@code datetime.isoformat()} gives for a naive time), read as
     * UTC, or a date (midnight UTC).
     */
    static Instant instant(String field, String value) throws QuoaliseError {
        if (value == null || value.isBlank()) {
            throw new QuoaliseError(QuoaliseError.Condition.BAD_REQUEST, field + " is missing");
        }
        String text = value.strip();
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException notWithOffset) {
            try {
                return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException notLocal) {
                try {
                    return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
                } catch (DateTimeParseException notDate) {
                    throw new QuoaliseError(
                            QuoaliseError.Condition.BAD_REQUEST,
                            field + " '" + value + "' is not an ISO 8601 date or date-time");
                }
            }
        }
    }
}
