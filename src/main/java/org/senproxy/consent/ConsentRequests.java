package org.senproxy.consent;

import static org.senproxy.db.Times.instant;
import static org.senproxy.db.Times.utc;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import javax.sql.DataSource;

import com.nimbusds.jose.jwk.ECKey;
import org.senproxy.audit.AuditEvent;
import org.senproxy.audit.AuditTrail;
import org.senproxy.db.Sql;
import org.senproxy.db.Transactions;
import org.senproxy.federation.ControlCodec;
import org.senproxy.federation.ControlHandler;
import org.senproxy.federation.ControlMessages;
import org.senproxy.federation.ControlRefused;
import org.senproxy.federation.OwnKeys;

/**
 * Consent requests over the control channel (issue 20, step 3), both sides.
 * <ul>
 * <li>The receiving proxy (B) asks an enrolled peer for a consent ({@link #request}: {@code consent-request}).</li>
 * <li>The data holder (A) records it as pending; its operator answers: {@link #approve} grants the consent (signed by
 * the data owner's key, as {@code consents grant}; its sources follow the catalogue, {@link ConsentSources}) and
 * tells B ({@code consent-granted}); {@link #refuse} tells B why not ({@code consent-refused}).</li>
 * <li>B, told of the grant, subscribes by itself (the subscription signed by its proxy key); told of a refusal, records
 * it; told of a revocation ({@code consent-revoked}, queued by {@link Consents#revoke}), ends its subscription with
 * the reason.</li>
 * </ul>
 * Every message is signed by the sender's key and checked against the keys registered for it; a message about a
 * request this side does not hold pending is refused with the reason.
 */
public class ConsentRequests implements ControlHandler {

    public static final String CONSENT_REQUEST = ControlCodec.CONSENT_REQUEST;
    public static final String CONSENT_GRANTED = ControlCodec.CONSENT_GRANTED;
    public static final String CONSENT_REFUSED = ControlCodec.CONSENT_REFUSED;
    public static final String CONSENT_REVOKED = ControlCodec.CONSENT_REVOKED;

    private static final Sql PEER = Sql.of(ConsentRequests.class, "request-peer");
    private static final Sql INSERT = Sql.of(ConsentRequests.class, "request-insert");
    private static final Sql LOCK = Sql.of(ConsentRequests.class, "request-lock");
    private static final Sql ANSWER = Sql.of(ConsentRequests.class, "request-answer");
    private static final Sql LIST = Sql.of(ConsentRequests.class, "request-list");
    private static final Sql SUBSCRIBE = Sql.of(ConsentRequests.class, "request-subscribe");
    private static final Sql UNSUBSCRIBE = Sql.of(ConsentRequests.class, "request-unsubscribe");

    /** What a request asks: a data owner's consent to a scope, for an access period and a data period. */
    public record Ask(
            String user,
            String scope,
            Instant validFrom,
            Instant validUntil,
            Instant dataFrom,
            Instant dataUntil,
            String purpose) {}

    /** A request as listed. */
    public record Listed(
            String ref,
            String direction,
            String app,
            String appJid,
            Ask ask,
            String status,
            String consentRef,
            String reason,
            Instant createdAt,
            Instant answeredAt) {}

    /** A control message being handled, with its checked signer and body, and the audit detail it fills. */
    private record In(
            Connection c,
            ControlCodec.Received message,
            ControlMessages.Signed signed,
            Map<String, Object> body,
            Map<String, Object> detail) {}

    /** A pending request, locked. */
    private record Pending(String ref, String app, String appJid, Ask ask, long appId) {}

    private final ControlMessages control;
    private final DataSource dataSource;
    private final AuditTrail audit;
    private final Consents consents;

    public ConsentRequests(ControlMessages control, DataSource dataSource, AuditTrail audit) {
        this.control = control;
        this.dataSource = dataSource;
        this.audit = audit;
        this.consents = new Consents(dataSource, audit);
    }

    // ---- the asking side

    /**
     * Asks the enrolled peer {@code peer} for a consent.
     *
     * @return the request's ref (the same on both sides)
     * @throws IllegalArgumentException for a peer that is not enrolled, an invalid scope or an empty period
     */
    public String request(String peer, Ask ask, String actor) throws SQLException {
        Ask checked = checked(ask);
        UUID ref = UUID.randomUUID();
        return Transactions.inTransaction(dataSource, c -> {
            Object[] app = PEER.one(c, PEER.params().text("app", peer), rs ->
                    new Object[] {rs.getLong(1), rs.getString(2), rs.getString(3)});
            if (app == null) {
                throw new IllegalArgumentException("no peer named " + peer + " (peers list shows them)");
            }
            if (!"enrolled".equals(app[2])) {
                throw new IllegalArgumentException("peer " + peer + " is not enrolled (peers join enrolls it): it"
                        + " cannot be asked over the federation");
            }
            insert(c, ref, "out", (Long) app[0], checked, actor);
            Map<String, Object> body = body(checked);
            body.put("request", ref.toString());
            ControlMessages.queue(c, (String) app[1], CONSENT_REQUEST, ref.toString(), body);
            Map<String, Object> detail = detail(ref, peer, checked);
            audit.append(c, List.of(AuditEvent.of("consent.requested", actor, checked.user(), null, detail)));
            return ref.toString();
        });
    }

    // ---- the data holder's side

    /**
     * Grants the consent a peer asked for (signed by the data owner's key, as {@code consents grant}) and tells the
     * peer.
     *
     * @return the consent's ref
     */
    public String approve(String ref, String actor, ECKey signer) throws SQLException {
        UUID id = Consents.uuid(ref);
        return Transactions.inTransaction(dataSource, c -> {
            Pending pending = pending(c, id, "in", null);
            if (pending == null) {
                throw new IllegalArgumentException("no pending consent request " + ref + " (consents requests)");
            }
            Ask ask = pending.ask();
            String consent = consents.grant(
                    c,
                    new Consents.Grant(
                            ask.user(),
                            pending.app(),
                            ask.scope(),
                            ask.validFrom(),
                            ask.validUntil(),
                            ask.dataFrom(),
                            ask.dataUntil(),
                            List.of()),
                    id,
                    actor,
                    signer);
            answer(c, id, "in", "approved", UUID.fromString(consent), null, actor);
            Map<String, Object> body = body(ask);
            body.put("request", ref);
            body.put("consent", consent);
            ControlMessages.queue(c, pending.appJid(), CONSENT_GRANTED, ref, body);
            Map<String, Object> detail = detail(id, pending.app(), ask);
            detail.put("consent", consent);
            audit.append(c, List.of(AuditEvent.of("consent.request-approved", actor, ask.user(), consent, detail)));
            return consent;
        });
    }

    /** Refuses a peer's request, telling it why. */
    public void refuse(String ref, String reason, String actor) throws SQLException {
        UUID id = Consents.uuid(ref);
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("say why (--reason): the peer is told");
        }
        Transactions.inTransaction(dataSource, c -> {
            Pending pending = pending(c, id, "in", null);
            if (pending == null) {
                throw new IllegalArgumentException("no pending consent request " + ref + " (consents requests)");
            }
            answer(c, id, "in", "refused", null, reason, actor);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("request", ref);
            body.put("reason", reason);
            ControlMessages.queue(c, pending.appJid(), CONSENT_REFUSED, ref, body);
            Map<String, Object> detail = detail(id, pending.app(), pending.ask());
            detail.put("reason", reason);
            audit.append(
                    c,
                    List.of(AuditEvent.of(
                            "consent.request-refused", actor, pending.ask().user(), null, detail)));
            return null;
        });
    }

    /** The requests, both ways: the pending ones, or all. */
    public List<Listed> list(boolean all) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return LIST.query(
                    c,
                    LIST.params().set("all", all),
                    rs -> new Listed(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4),
                            new Ask(
                                    rs.getString(5),
                                    rs.getString(6),
                                    instant(rs, 7),
                                    instant(rs, 8),
                                    instant(rs, 9),
                                    instant(rs, 10),
                                    rs.getString(11)),
                            rs.getString(12),
                            rs.getString(13),
                            rs.getString(14),
                            instant(rs, 15),
                            instant(rs, 16)));
        }
    }

    // ---- receiving

    @Override
    public Set<String> types() {
        return Set.of(CONSENT_REQUEST, CONSENT_GRANTED, CONSENT_REFUSED, CONSENT_REVOKED);
    }

    @Override
    public String refusalKind() {
        return "consent.message-refused";
    }

    @Override
    public void handle(Connection c, ControlCodec.Received message, Map<String, Object> detail) throws SQLException {
        ControlMessages.Signed signed = control.signer(c, message);
        detail.put("app", signed.app());
        In in = new In(c, message, signed, signed.body(), detail);
        switch (message.type()) {
            case CONSENT_REQUEST -> received(in);
            case CONSENT_GRANTED -> granted(in);
            case CONSENT_REFUSED -> refused(in);
            default -> revoked(in);
        }
    }

    private void received(In in) throws SQLException {
        UUID ref = uuid(in.body(), "request");
        in.detail().put("request", ref.toString());
        Ask ask;
        try {
            ask = checked(ask(in.body()));
        } catch (IllegalArgumentException invalid) {
            throw new ControlRefused("consent request " + ref + ": " + invalid.getMessage());
        }
        if (!insert(in.c(), ref, "in", in.signed().appId(), ask, in.message().senderJid())) {
            throw new ControlRefused("a consent request " + ref + " exists here already");
        }
        in.detail().putAll(detail(ref, in.signed().app(), ask));
        audit.append(
                in.c(),
                List.of(AuditEvent.of(
                        "consent.request-received", in.message().senderJid(), ask.user(), null, in.detail())));
    }

    private void granted(In in) throws SQLException {
        UUID ref = uuid(in.body(), "request");
        UUID consent = uuid(in.body(), "consent");
        in.detail().put("request", ref.toString());
        in.detail().put("consent", consent.toString());
        Pending pending = askedHere(in, ref);
        ControlMessages.notAnsweredMeanwhile(in.c(), in.message());
        Scope scope;
        try {
            scope = Scope.parse(text(in.body(), "scope"));
        } catch (IllegalArgumentException invalid) {
            throw new ControlRefused("the granted scope is not valid: " + invalid.getMessage());
        }
        SUBSCRIBE.update(
                in.c(),
                SUBSCRIBE
                        .params()
                        .set("app_id", in.signed().appId())
                        .set("consent_ref", consent)
                        .text("scope", scope.text()));
        answer(in.c(), ref, "out", "approved", consent, null, in.message().senderJid());
        in.detail().put("scope", scope.text());
        in.detail().put("action", "added");
        audit.append(
                in.c(),
                List.of(Consents.signed(
                        "subscription.added",
                        AuditTrail.PROXY_ACTOR,
                        pending.ask().user(),
                        consent.toString(),
                        in.detail(),
                        proxyKey())));
    }

    private void refused(In in) throws SQLException {
        UUID ref = uuid(in.body(), "request");
        String reason = text(in.body(), "reason");
        in.detail().put("request", ref.toString());
        in.detail().put("reason", reason);
        Pending pending = askedHere(in, ref);
        answer(in.c(), ref, "out", "refused", null, reason, in.message().senderJid());
        audit.append(
                in.c(),
                List.of(AuditEvent.of(
                        "consent.request-refused",
                        in.message().senderJid(),
                        pending.ask().user(),
                        null,
                        in.detail())));
    }

    private void revoked(In in) throws SQLException {
        UUID consent = uuid(in.body(), "consent");
        String reason = text(in.body(), "reason");
        in.detail().put("consent", consent.toString());
        in.detail().put("reason", reason);
        String scope = UNSUBSCRIBE.one(
                in.c(),
                UNSUBSCRIBE
                        .params()
                        .set("app_id", in.signed().appId())
                        .set("consent_ref", consent)
                        .text("reason", in.signed().app() + " revoked the consent: " + reason),
                rs -> rs.getString(1));
        in.detail().put("action", "ended");
        in.detail().put("was_active", scope != null);
        audit.append(
                in.c(),
                List.of(Consents.signed(
                        "subscription.ended",
                        AuditTrail.PROXY_ACTOR,
                        null,
                        consent.toString(),
                        in.detail(),
                        proxyKey())));
    }

    // ---- shared

    /** This proxy's request {@code ref} to the sender, pending, locked; refused when there is none. */
    private static Pending askedHere(In in, UUID ref) throws SQLException {
        Pending pending = pending(in.c(), ref, "out", in.signed().appId());
        if (pending == null) {
            throw new ControlRefused(
                    "no consent request " + ref + " to " + in.signed().app() + " is pending here");
        }
        return pending;
    }

    private ECKey proxyKey() {
        OwnKeys keys = control.keys();
        ECKey key = keys == null ? null : keys.current();
        if (key == null) {
            throw new IllegalStateException("this proxy has no signing key: it cannot sign its subscription changes");
        }
        return key;
    }

    private static Ask checked(Ask ask) {
        if (ask.user() == null || ask.user().isBlank()) {
            throw new IllegalArgumentException("the data owner (user) is missing");
        }
        Scope.parse(ask.scope());
        Instant from = ask.validFrom() == null ? Instant.now() : ask.validFrom();
        if (ask.validUntil() == null || !ask.validUntil().isAfter(from)) {
            throw new IllegalArgumentException("until " + ask.validUntil() + " is not after " + from);
        }
        Instant dataFrom = ask.dataFrom() == null ? from : ask.dataFrom();
        if (!dataFrom.isBefore(ask.validUntil())) {
            throw new IllegalArgumentException("data-from " + dataFrom + " is not before the access end");
        }
        if (ask.dataUntil() != null && !ask.dataUntil().isAfter(dataFrom)) {
            throw new IllegalArgumentException("data-until " + ask.dataUntil() + " is not after " + dataFrom);
        }
        if (ask.purpose() == null || ask.purpose().isBlank() || ask.purpose().length() > 1000) {
            throw new IllegalArgumentException("say what the data is for (purpose, at most 1000 characters)");
        }
        return new Ask(ask.user(), ask.scope(), from, ask.validUntil(), dataFrom, ask.dataUntil(), ask.purpose());
    }

    private static boolean insert(Connection c, UUID ref, String direction, long appId, Ask ask, String by)
            throws SQLException {
        return INSERT.update(
                        c,
                        INSERT.params()
                                .set("ref", ref)
                                .text("direction", direction)
                                .set("app_id", appId)
                                .text("user_ref", ask.user())
                                .text("scope", ask.scope())
                                .set("valid_from", utc(ask.validFrom()))
                                .set("valid_until", utc(ask.validUntil()))
                                .set("data_from", utc(ask.dataFrom()))
                                .set("data_until", utc(ask.dataUntil()))
                                .text("purpose", ask.purpose())
                                .text("requested_by", by))
                == 1;
    }

    private static Pending pending(Connection c, UUID ref, String direction, Long appId) throws SQLException {
        return LOCK.one(
                c,
                LOCK.params().set("ref", ref).text("direction", direction).set("app_id", appId),
                rs -> new Pending(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        new Ask(
                                rs.getString(4),
                                rs.getString(5),
                                instant(rs, 6),
                                instant(rs, 7),
                                instant(rs, 8),
                                instant(rs, 9),
                                null),
                        rs.getLong(10)));
    }

    private static void answer(
            Connection c, UUID ref, String direction, String status, UUID consent, String reason, String actor)
            throws SQLException {
        ANSWER.update(
                c,
                ANSWER.params()
                        .text("status", status)
                        .set("consent_ref", consent)
                        .text("reason", reason)
                        .text("actor", actor)
                        .set("ref", ref)
                        .text("direction", direction));
    }

    private static Map<String, Object> body(Ask ask) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("user", ask.user());
        body.put("scope", ask.scope());
        body.put("valid_from", ask.validFrom().toString());
        body.put("valid_until", ask.validUntil().toString());
        body.put("data_from", ask.dataFrom() == null ? null : ask.dataFrom().toString());
        body.put("data_until", ask.dataUntil() == null ? null : ask.dataUntil().toString());
        if (ask.purpose() != null) {
            body.put("purpose", ask.purpose());
        }
        return body;
    }

    private static Map<String, Object> detail(UUID ref, String app, Ask ask) {
        Map<String, Object> detail = body(ask);
        detail.put("request", ref.toString());
        detail.put("app", app);
        return detail;
    }

    private static Ask ask(Map<String, Object> body) {
        return new Ask(
                text(body, "user"),
                text(body, "scope"),
                time(body, "valid_from"),
                time(body, "valid_until"),
                time(body, "data_from"),
                time(body, "data_until"),
                text(body, "purpose"));
    }

    private static String text(Map<String, Object> body, String name) {
        if (body.get(name) instanceof String s && !s.isBlank() && s.length() <= 4096) {
            return s;
        }
        throw new ControlRefused("the message has no valid " + name);
    }

    private static Instant time(Map<String, Object> body, String name) {
        Object value = body.get(name);
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(String.valueOf(value));
        } catch (DateTimeParseException e) {
            throw new ControlRefused(name + " is not an ISO 8601 instant");
        }
    }

    private static UUID uuid(Map<String, Object> body, String name) {
        try {
            return UUID.fromString(text(body, name));
        } catch (IllegalArgumentException e) {
            throw new ControlRefused(name + " is not a ref (a UUID)");
        }
    }
}
