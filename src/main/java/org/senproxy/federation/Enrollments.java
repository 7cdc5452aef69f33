package org.senproxy.federation;

import java.sql.Connection;
import java.sql.SQLException;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import javax.sql.DataSource;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.SignedJWT;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import org.senproxy.audit.AuditEvent;
import org.senproxy.audit.AuditTrail;
import org.senproxy.db.Sql;
import org.senproxy.db.Times;
import org.senproxy.db.Transactions;

/**
 * Enrollment of peer proxies (issue 20, steps 1 and 2), both sides, in the database:
 * <ul>
 * <li>the inviting proxy (A) issues an invitation ({@link #invite}), checks an enrollment request against it
 * ({@link #handle}: the proof of its secret, once, in time, from one address), registers the joining proxy as an app
 * with its key and queues its signed answer ({@code enroll-accept}: its own public key and its catalogue);</li>
 * <li>the joining proxy (B) registers A as a pending app and queues the request ({@link #join}); A's answer, signed by
 * the key whose thumbprint the invitation carried, completes it: A's key registered, A enrolled.</li>
 * </ul>
 * Every refusal is answered with its reason, recorded with the message (table {@code control_message}) and audited
 * ({@code enrollment.refused}); nothing else is written. A message received again (same sender, same id) gets the
 * answer it got the first time.
 */
public class Enrollments implements ControlHandler {

    private static final Sql INVITATION_INSERT = Sql.of(Enrollments.class, "invitation-insert");
    private static final Sql INVITATION_LOCK = Sql.of(Enrollments.class, "invitation-lock");
    private static final Sql INVITATION_USE = Sql.of(Enrollments.class, "invitation-use");
    private static final Sql IN_RECENT = Sql.of(Enrollments.class, "control-in-recent");
    private static final Sql APP_NAMED = Sql.of(Enrollments.class, "app-named");
    private static final Sql APP_ENROLL = Sql.of(Enrollments.class, "app-enroll");
    private static final Sql APP_JOIN = Sql.of(Enrollments.class, "app-join");
    private static final Sql APP_PENDING = Sql.of(Enrollments.class, "app-pending");
    private static final Sql APP_ENROLLED = Sql.of(Enrollments.class, "app-enrolled");
    private static final Sql APP_PENDING_DROP = Sql.of(Enrollments.class, "app-pending-drop");
    private static final Sql APP_PENDING_REPLACE = Sql.of(Enrollments.class, "app-pending-replace");
    private static final Sql OUT_SUPERSEDE = Sql.of(Enrollments.class, "control-out-supersede");
    private static final Sql KEY_INSERT = Sql.of(Enrollments.class, "app-key-insert");
    private static final Sql CATALOGUE_OFFERED = Sql.of(Enrollments.class, "catalogue-enrollment-offered");
    private static final Sql CATALOGUE_RECEIVED = Sql.of(Enrollments.class, "catalogue-enrollment-received");

    /** The default of {@code senproxy.enrollment.max-requests-per-hour}. */
    public static final int DEFAULT_MAX_REQUESTS_PER_HOUR = 10;

    /** An invitation issued, with its end. */
    public record Issued(Invitation invitation, Instant expiresAt) {}

    private record InvitationRow(
            String name, String proofKey, Instant expiresAt, boolean expired, Instant usedAt, String usedBy) {}

    private record Pending(long id, String name, String expectedKey, String invitation) {}

    private final ControlMessages control;
    private final DataSource dataSource;
    private final AuditTrail audit;
    private final String ownJid;
    private final OwnKeys keys;
    private final int maxRequestsPerHour;

    private volatile Supplier<List<String>> catalogue = List::of;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong rateLimited = new AtomicLong();

    /** Enrollment over {@code control}, with its own JID and keys. */
    public Enrollments(ControlMessages control, DataSource dataSource, AuditTrail audit, int maxRequestsPerHour) {
        this.control = control;
        this.dataSource = dataSource;
        this.audit = audit;
        this.ownJid = control.ownJid();
        this.keys = control.keys();
        this.maxRequestsPerHour = maxRequestsPerHour;
    }

    /** The names of the series this proxy offers, sent in its answer to an enrollment. */
    public Enrollments withCatalogue(Supplier<List<String>> catalogue) {
        this.catalogue = catalogue;
        return this;
    }

    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("senproxy.enrollment.accepted", accepted, AtomicLong::get)
                .description("enrollment requests accepted (peers enrolled with an invitation)")
                .register(registry);
        FunctionCounter.builder("senproxy.enrollment.refused", refused, AtomicLong::get)
                .description("enrollment requests refused (reused, expired, altered or foreign invitation...)")
                .register(registry);
        FunctionCounter.builder("senproxy.enrollment.rate-limited", rateLimited, AtomicLong::get)
                .description("enrollment requests refused for coming too often from one address")
                .register(registry);
    }

    public long rateLimitedCount() {
        return rateLimited.get();
    }

    private ECKey ownKey() {
        ECKey ownKey = keys == null ? null : keys.current();
        if (ownKey == null) {
            throw new IllegalArgumentException(
                    "this proxy has no signing key (senproxy.signing.key-file): enrollment needs one");
        }
        return ownKey;
    }

    // ---- the inviting side

    /** Issues an invitation for a peer to be registered here as {@code name}. */
    public Issued invite(String name, Duration validFor, String actor) throws SQLException {
        if (validFor.isNegative() || validFor.isZero() || validFor.compareTo(Duration.ofDays(30)) > 0) {
            throw new IllegalArgumentException("--valid-for must be more than 0 and at most 30 days");
        }
        Invitation invitation = Invitation.create(ownJid, AppKeys.thumbprint(ownKey()));
        Instant expires = Transactions.inTransaction(dataSource, c -> {
            if (APP_NAMED.one(c, APP_NAMED.params().text("name", name).text("jid", ""), rs -> rs.getString(1))
                    != null) {
                throw new IllegalArgumentException("an app named " + name + " exists already");
            }
            Instant end = INVITATION_INSERT.one(
                    c,
                    INVITATION_INSERT
                            .params()
                            .text("id", invitation.id())
                            .text("name", name)
                            .text("proof_key", invitation.proofKey())
                            .set("seconds", (double) validFor.toSeconds())
                            .text("actor", actor),
                    rs -> Times.instant(rs, 1));
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("invitation", invitation.id());
            detail.put("name", name);
            detail.put("expires_at", end.toString());
            audit.append(c, List.of(AuditEvent.of("enrollment.invited", actor, null, null, detail)));
            return end;
        });
        return new Issued(invitation, expires);
    }

    // ---- the joining side

    /**
     * Registers the inviting proxy as a pending app named {@code name} and queues the enrollment request.
     *
     * @return the request's message id
     */
    public String join(Invitation invitation, String name, String actor) throws SQLException {
        ECKey key = ownKey();
        if (invitation.jid().equals(ownJid)) {
            throw new IllegalArgumentException("that invitation is this proxy's own (" + ownJid + ")");
        }
        String messageId = UUID.randomUUID().toString();
        String thumbprint = AppKeys.thumbprint(key);
        String nonce = Invitation.nonce();
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("invitation", invitation.id());
        request.put("jid", ownJid);
        request.put("jwk", key.toPublicJWK().toJSONObject());
        request.put("nonce", nonce);
        request.put(
                "proof",
                Invitation.proof(invitation.proofKey(), invitation.id(), ownJid, thumbprint, nonce, messageId));
        return Transactions.inTransaction(dataSource, c -> {
            // joining again (the first request was never answered) replaces the pending enrollment
            String replaced = APP_PENDING_REPLACE.one(
                    c, APP_PENDING_REPLACE.params().text("jid", invitation.jid()), rs -> rs.getString(1));
            OUT_SUPERSEDE.update(c, OUT_SUPERSEDE.params().text("peer", invitation.jid()));
            String existing = APP_NAMED.one(
                    c,
                    APP_NAMED.params().text("name", name).text("jid", invitation.jid()),
                    rs -> rs.getString(1) + " at " + rs.getString(2));
            if (existing != null) {
                throw new IllegalArgumentException("an app " + existing + " exists already");
            }
            APP_JOIN.update(
                    c,
                    APP_JOIN.params()
                            .text("name", name)
                            .text("jid", invitation.jid())
                            .text("via", invitation.id())
                            .text("expected_key", invitation.fingerprint()));
            ControlMessages.queue(
                    c,
                    invitation.jid(),
                    messageId,
                    ControlCodec.ENROLL_REQUEST,
                    invitation.id(),
                    JSONObjectUtils.toJSONString(request));
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("invitation", invitation.id());
            detail.put("name", name);
            detail.put("jid", invitation.jid());
            detail.put("expected_thumbprint", invitation.fingerprint());
            detail.put("message", messageId);
            detail.put("replaced_pending", replaced);
            audit.append(c, List.of(AuditEvent.of("enrollment.requested", actor, null, null, detail)));
            return messageId;
        });
    }

    // ---- receiving

    @Override
    public Set<String> types() {
        return Set.of(ControlCodec.ENROLL_REQUEST, ControlCodec.ENROLL_ACCEPT);
    }

    @Override
    public String refusalKind() {
        return "enrollment.refused";
    }

    /** Checks an enrollment request or answer; a request from an address that sent too many this hour is refused. */
    @Override
    public void handle(Connection c, ControlCodec.Received message, Map<String, Object> detail) throws SQLException {
        try {
            if (ControlCodec.ENROLL_REQUEST.equals(message.type())) {
                long recent = IN_RECENT.one(
                        c,
                        IN_RECENT.params().text("peer", message.senderJid()).set("seconds", 3600.0),
                        rs -> rs.getLong(1));
                if (recent >= maxRequestsPerHour) {
                    rateLimited.incrementAndGet();
                    throw new ControlRefused(
                            "too many enrollment requests from " + message.senderJid() + ": at most "
                                    + maxRequestsPerHour + " an hour (senproxy.enrollment.max-requests-per-hour)",
                            false); // not recorded: a flood must not fill the tables
                }
                enrollRequest(c, message, detail);
            } else {
                enrollAccept(c, message, detail);
            }
        } catch (ControlRefused | FederationException no) {
            refused.incrementAndGet();
            throw no;
        }
        accepted.incrementAndGet();
    }

    /** A refused enrollment request: the pending app is removed (it never had a key). */
    @Override
    public void refusedByPeer(
            Connection c, String peerJid, String type, String about, String reason, Map<String, Object> detail)
            throws SQLException {
        if (ControlCodec.ENROLL_REQUEST.equals(type)) {
            detail.put(
                    "app_removed",
                    APP_PENDING_DROP.one(c, APP_PENDING_DROP.params().text("jid", peerJid), rs -> rs.getString(1)));
        }
    }

    private void enrollRequest(Connection c, ControlCodec.Received message, Map<String, Object> detail)
            throws SQLException {
        Map<String, Object> request = ControlCodec.json(message.payload());
        String invitationId = text(request, "invitation");
        detail.put("invitation", invitationId);
        String jid = text(request, "jid");
        String nonce = text(request, "nonce");
        String proof = text(request, "proof");
        if (!message.senderJid().equals(jid)) {
            throw new ControlRefused(
                    "the request names " + jid + ", not its authenticated sender " + message.senderJid());
        }
        ECKey key = publicKey(request.get("jwk"));
        String thumbprint = AppKeys.thumbprint(key);
        InvitationRow invitation = INVITATION_LOCK.one(
                c,
                INVITATION_LOCK.params().text("id", invitationId),
                rs -> new InvitationRow(
                        rs.getString(1),
                        rs.getString(2),
                        Times.instant(rs, 3),
                        rs.getBoolean(4),
                        Times.instant(rs, 5),
                        rs.getString(6)));
        if (invitation == null) {
            throw new ControlRefused("unknown invitation " + invitationId + ": not issued by this proxy");
        }
        // another replica may have taken this very message while this one waited for the lock
        ControlMessages.notAnsweredMeanwhile(c, message);
        if (!Invitation.proofMatches(
                invitation.proofKey(), invitationId, jid, thumbprint, nonce, message.messageId(), proof)) {
            throw new ControlRefused(
                    "the proof does not match invitation " + invitationId + " (altered, or not made with its secret)");
        }
        if (invitation.usedAt() != null) {
            if (!message.senderJid().equals(invitation.usedBy())) {
                throw new ControlRefused("invitation " + invitationId + " was used by another address");
            }
            throw new ControlRefused("invitation " + invitationId + " was used already, at " + invitation.usedAt());
        }
        if (invitation.expired()) {
            throw new ControlRefused("invitation " + invitationId + " expired at " + invitation.expiresAt());
        }
        String existing = APP_NAMED.one(
                c,
                APP_NAMED.params().text("name", invitation.name()).text("jid", jid),
                rs -> rs.getString(1) + " at " + rs.getString(2));
        if (existing != null) {
            throw new ControlRefused("this proxy has an app " + existing + " already");
        }
        long appId = APP_ENROLL.one(
                c,
                APP_ENROLL
                        .params()
                        .text("name", invitation.name())
                        .text("jid", jid)
                        .text("via", invitationId),
                rs -> rs.getLong(1));
        insertKey(c, appId, key);
        INVITATION_USE.update(c, INVITATION_USE.params().text("jid", jid).text("id", invitationId));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("in_reply_to", message.messageId());
        answer.put("invitation", invitationId);
        answer.put("jwk", ownKey().toPublicJWK().toJSONObject());
        List<String> offered = catalogue.get();
        answer.put("catalogue", offered);
        ControlMessages.queue(c, jid, ControlCodec.ENROLL_ACCEPT, invitationId, answer);
        CATALOGUE_OFFERED.update(
                c,
                CATALOGUE_OFFERED
                        .params()
                        .set("app_id", appId)
                        .array("series", "text", offered.toArray(String[]::new)));
        if (KeyRotation.announceNextTo(c, keys, jid)) {
            detail.put("next_key_announced", true);
        }
        detail.put("app", invitation.name());
        detail.put("jid", jid);
        detail.put("kid", key.getKeyID());
        detail.put("thumbprint", thumbprint);
        detail.put("message", message.messageId());
        audit.append(c, List.of(AuditEvent.of("enrollment.accepted", jid, null, null, detail)));
    }

    private void enrollAccept(Connection c, ControlCodec.Received message, Map<String, Object> detail)
            throws SQLException {
        Pending pending = APP_PENDING.one(
                c,
                APP_PENDING.params().text("jid", message.senderJid()),
                rs -> new Pending(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)));
        if (pending == null) {
            throw new ControlRefused("no enrollment with " + message.senderJid() + " is pending here");
        }
        detail.put("invitation", pending.invitation());
        Map<String, Object> unverified;
        try {
            unverified = SignedJWT.parse(message.payload()).getJWTClaimsSet().getJSONObjectClaim("body");
        } catch (ParseException e) {
            throw new ControlRefused("the answer is not a signed control message (compact JWS)");
        }
        if (unverified == null) {
            throw new ControlRefused("the answer has no body");
        }
        ECKey key = publicKey(unverified.get("jwk"));
        String thumbprint = AppKeys.thumbprint(key);
        if (!thumbprint.equals(pending.expectedKey())) {
            throw new ControlRefused("the answer's key " + thumbprint + " is not the one the invitation announced ("
                    + pending.expectedKey() + ")");
        }
        Map<String, Object> body = ControlCodec.verify(message, ownJid, key, Instant.now(), control.maxAge());
        if (!pending.invitation().equals(body.get("invitation"))) {
            throw new ControlRefused(
                    "the answer is for invitation " + body.get("invitation") + ", not " + pending.invitation());
        }
        insertKey(c, pending.id(), key);
        APP_ENROLLED.update(c, APP_ENROLLED.params().set("id", pending.id()));
        detail.put("app", pending.name());
        detail.put("jid", message.senderJid());
        detail.put("kid", key.getKeyID());
        detail.put("thumbprint", thumbprint);
        detail.put("catalogue", body.get("catalogue"));
        detail.put("message", message.messageId());
        if (body.get("catalogue") instanceof List<?> offered
                && offered.stream().allMatch(s -> s instanceof String t && !t.isBlank() && t.length() <= 512)) {
            CATALOGUE_RECEIVED.update(
                    c,
                    CATALOGUE_RECEIVED
                            .params()
                            .set("app_id", pending.id())
                            .array(
                                    "series",
                                    "text",
                                    offered.stream().sorted().distinct().toArray(String[]::new)));
        }
        audit.append(c, List.of(AuditEvent.of("enrollment.completed", message.senderJid(), null, null, detail)));
    }

    private static void insertKey(Connection c, long appId, ECKey key) throws SQLException {
        KEY_INSERT.update(
                c,
                KEY_INSERT
                        .params()
                        .set("app_id", appId)
                        .text("kid", key.getKeyID())
                        .text("jwk", key.toPublicJWK().toJSONString())
                        .set("valid_until", null));
    }

    static ECKey publicKey(Object jwk) {
        if (!(jwk instanceof Map<?, ?> json)) {
            throw new ControlRefused("no public key (jwk)");
        }
        ECKey key;
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) json;
            key = ECKey.parse(map);
        } catch (ParseException e) {
            throw new ControlRefused("the jwk is not an EC key: " + e.getMessage());
        }
        if (key.isPrivate()) {
            throw new ControlRefused("the jwk holds a private key: send the public one only");
        }
        if (!Curve.P_256.equals(key.getCurve())
                || key.getKeyID() == null
                || key.getKeyID().isBlank()) {
            throw new ControlRefused("the jwk must be a P-256 key with a key id (kid)");
        }
        return key;
    }

    private static String text(Map<String, Object> json, String name) {
        if (json.get(name) instanceof String s && !s.isBlank() && s.length() <= 512) {
            return s;
        }
        throw new ControlRefused("the request has no valid " + name);
    }
}
