package org.senproxy.federation;

import java.sql.Connection;
import java.sql.SQLException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import org.senproxy.audit.AuditEvent;
import org.senproxy.audit.AuditTrail;
import org.senproxy.db.Sql;
import org.senproxy.db.Times;
import org.senproxy.db.Transactions;

/**
 * The control messages of this proxy, both ways, in table {@code control_message}, with the outbox's and inbox's
 * rules: a message sent is sent again until its peer acknowledges it and becomes dead, with its reason, after its last
 * attempt or a refusal; a message received is handled once per (peer, message id), and a message received again gets
 * the answer it got the first time. Each type is handled by one {@link ControlHandler}, in the transaction that
 * records the message and its answer. Every signed message is checked here ({@link #signer}) against the sender's
 * registered keys: unknown, revoked and retired keys are refused with the reason.
 */
public class ControlMessages {

    private static final Sql DEAD = Sql.of(ControlMessages.class, "control-dead-list");
    private static final Sql IN_FIND = Sql.of(ControlMessages.class, "control-in-find");
    private static final Sql IN_INSERT = Sql.of(ControlMessages.class, "control-in-insert");
    private static final Sql OUT_INSERT = Sql.of(ControlMessages.class, "control-out-insert");
    private static final Sql OUT_EXPIRE = Sql.of(ControlMessages.class, "control-out-expire");
    private static final Sql OUT_CLAIM = Sql.of(ControlMessages.class, "control-out-claim");
    private static final Sql OUT_SETTLE = Sql.of(ControlMessages.class, "control-out-settle");
    private static final Sql PEER_KEYS = Sql.of(ControlMessages.class, "control-peer-keys");

    /** The answer to a control message: accepted, or refused with the reason the sender is told. */
    public record Answer(boolean accepted, String reason) {
        static Answer ok() {
            return new Answer(true, null);
        }
    }

    /** A control message to send now. */
    public record Outgoing(String peerJid, String messageId, String type, String payload) {}

    /** A signed control message checked: the app that sent it and the message's body. */
    public record Signed(long appId, String app, String kid, Map<String, Object> body) {}

    /** The same message was answered meanwhile (another replica received it too): that answer stands. */
    static final class AnsweredMeanwhile extends RuntimeException {
        final Answer answer;

        AnsweredMeanwhile(Answer answer) {
            super(null, null, false, false);
            this.answer = answer;
        }
    }

    private record PeerKey(
            long appId,
            String app,
            String kid,
            String jwk,
            boolean valid,
            Instant validUntil,
            Instant revokedAt,
            String revokedReason,
            boolean pending) {}

    private final DataSource dataSource;
    private final AuditTrail audit;
    private final String ownJid;
    private final OwnKeys keys;
    private final Map<String, ControlHandler> handlers = new HashMap<>();
    private volatile Duration maxAge = Duration.ofMinutes(10);
    private final AtomicLong unreadable = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    /** The addresses already audited as sending junk, by hour: one audit entry each, not one per message. */
    private final Set<String> audited = ConcurrentHashMap.newKeySet();

    public ControlMessages(DataSource dataSource, AuditTrail audit, String ownJid, OwnKeys keys) {
        this.dataSource = dataSource;
        this.audit = audit;
        this.ownJid = ownJid;
        this.keys = keys;
    }

    /** Hands the messages of the handler's types to it. */
    public ControlMessages handling(ControlHandler handler) {
        for (String type : handler.types()) {
            handlers.put(type, handler);
        }
        return this;
    }

    /** How old a signed control message may be ({@code senproxy.signing.max-age-s}). */
    public ControlMessages acceptingSignaturesFor(Duration maxAge) {
        this.maxAge = maxAge;
        return this;
    }

    /** How old a signed control message may be. */
    public Duration maxAge() {
        return maxAge;
    }

    public String ownJid() {
        return ownJid;
    }

    public OwnKeys keys() {
        return keys;
    }

    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("senproxy.control.accepted", accepted, AtomicLong::get)
                .description("control messages received and accepted")
                .register(registry);
        FunctionCounter.builder("senproxy.control.refused", refused, AtomicLong::get)
                .description("control messages received and refused, with the reason told to their sender")
                .register(registry);
        FunctionCounter.builder("senproxy.control.unreadable", unreadable, AtomicLong::get)
                .description("control messages refused unread (unknown version or type, forged sender, no payload)")
                .register(registry);
    }

    // ---- receiving

    /**
     * A control message refused before it could be read (unknown version or type, a sender other than the
     * authenticated one, no payload): counted, and audited once an hour per sender ({@code control.unreadable}), so that
     * junk cannot fill the audit trail.
     */
    public void unreadable(String senderJid, String messageId, String reason) throws SQLException {
        unreadable.incrementAndGet();
        if (firstThisHour(senderJid + "#unreadable")) {
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("message", messageId);
            detail.put("reason", reason);
            audit.append(List.of(AuditEvent.of("control.unreadable", senderJid, null, null, detail)));
        }
    }

    /** Whether this is the first time this hour that {@code key} is seen (bounded memory). */
    private boolean firstThisHour(String key) {
        if (audited.size() > 10_000) {
            audited.clear(); // at worst, an address is audited once more this hour
        }
        return audited.add(key + "@" + Instant.now().getEpochSecond() / 3600);
    }

    /** Checks, records and answers one control message. */
    public Answer receive(ControlCodec.Received message) throws SQLException {
        ControlHandler handler = handlers.get(message.type());
        Answer answer = Transactions.inTransaction(dataSource, c -> {
            Answer before = answered(c, message);
            if (before != null) {
                return before; // received again: answered as the first time, nothing written
            }
            Map<String, Object> detail = new LinkedHashMap<>();
            try {
                if (handler == null) {
                    throw new ControlRefused("control type " + message.type() + " is not handled by this proxy");
                }
                handler.handle(c, message, detail);
            } catch (AnsweredMeanwhile meanwhile) {
                return meanwhile.answer;
            } catch (ControlRefused | FederationException no) {
                refused.incrementAndGet();
                boolean record = !(no instanceof ControlRefused r) || r.recorded();
                if (record) {
                    record(c, message, "rejected", no.getMessage());
                }
                if (record || firstThisHour(message.senderJid() + "#" + message.type())) {
                    String kind = handler == null ? "control.rejected" : handler.refusalKind();
                    audit.append(c, List.of(refusal(kind, message, no.getMessage(), detail)));
                }
                return new Answer(false, no.getMessage());
            }
            accepted.incrementAndGet();
            record(c, message, "accepted", null);
            return Answer.ok();
        });
        if (answer.accepted() && handler != null) {
            handler.committed(message);
        }
        return answer;
    }

    /** What a message received before was answered, or null. */
    static Answer answered(Connection c, ControlCodec.Received message) throws SQLException {
        return IN_FIND.one(
                c,
                IN_FIND.params().text("peer", message.senderJid()).text("message_id", message.messageId()),
                rs -> new Answer("accepted".equals(rs.getString(1)), rs.getString(2)));
    }

    /** Throws {@link AnsweredMeanwhile} when another replica answered this message while this one waited on a lock. */
    public static void notAnsweredMeanwhile(Connection c, ControlCodec.Received message) throws SQLException {
        Answer meanwhile = answered(c, message);
        if (meanwhile != null) {
            throw new AnsweredMeanwhile(meanwhile);
        }
    }

    private static AuditEvent refusal(
            String kind, ControlCodec.Received message, String reason, Map<String, Object> handlerDetail) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("type", message.type());
        detail.put("message", message.messageId());
        detail.putAll(handlerDetail);
        detail.put("reason", reason);
        return AuditEvent.of(kind, message.senderJid(), null, null, detail);
    }

    private static void record(Connection c, ControlCodec.Received message, String status, String reason)
            throws SQLException {
        IN_INSERT.update(
                c,
                IN_INSERT
                        .params()
                        .text("peer", message.senderJid())
                        .text("message_id", message.messageId())
                        .text("type", message.type())
                        .text("payload", message.payload())
                        .text("status", status)
                        .text("reason", reason));
    }

    /**
     * Checks a signed control message against its sender's registered keys: the app at the sender's address, the key
     * its signature names, valid now, neither revoked nor retired.
     *
     * @throws ControlRefused saying which of these failed
     */
    public Signed signer(Connection c, ControlCodec.Received message) throws SQLException {
        List<PeerKey> found = PEER_KEYS.query(
                c,
                PEER_KEYS.params().text("jid", message.senderJid()),
                rs -> new PeerKey(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getBoolean(5),
                        Times.instant(rs, 6),
                        Times.instant(rs, 7),
                        rs.getString(8),
                        rs.getBoolean(9)));
        if (found.isEmpty()) {
            throw new ControlRefused(message.senderJid() + " is not a peer of this proxy (peers join enrolls one)");
        }
        if (found.get(0).pending() && !ControlCodec.ENROLL_ACCEPT.equals(message.type())) {
            // arrived before the enrollment's answer (sent before it, or that one is being sent again): not answered,
            // so that the peer sends it again once the answer has registered its key here
            throw new IllegalStateException("a " + message.type() + " from " + message.senderJid()
                    + " came before the answer to this proxy's enrollment: it is handled once the enrollment is done");
        }
        String kid = ControlCodec.keyId(message.payload());
        if (kid == null) {
            throw new ControlRefused("unsigned control message: " + message.type() + " must be signed");
        }
        PeerKey key = found.stream()
                .filter(k -> kid.equals(k.kid()))
                .findFirst()
                .orElseThrow(() -> new ControlRefused("signed by key '" + kid + "', unknown for "
                        + found.get(0).app() + " (" + message.senderJid() + ")"));
        if (key.revokedAt() != null) {
            throw new ControlRefused(
                    "signed by key " + kid + ", revoked at " + key.revokedAt() + ": " + key.revokedReason());
        }
        if (!key.valid()) {
            throw new ControlRefused("signed by key " + kid + ", retired at " + key.validUntil());
        }
        ECKey jwk;
        try {
            jwk = ECKey.parse(key.jwk());
        } catch (ParseException e) {
            throw new IllegalStateException("a registered key of " + key.app() + " is not an EC JWK", e);
        }
        Map<String, Object> body = ControlCodec.verify(message, ownJid, jwk, Instant.now(), maxAge);
        return new Signed(key.appId(), key.app(), kid, body);
    }

    // ---- sending and acknowledgements

    /**
     * Queues a control message for a peer, in the caller's transaction (any process may: the commands too); the
     * proxy signs it when it sends it.
     *
     * @param about what it is about (a key id, a consent ref), for what waits for its acknowledgement
     * @return its message id
     */
    public static String queue(Connection c, String peerJid, String type, String about, Map<String, Object> body)
            throws SQLException {
        String messageId = UUID.randomUUID().toString();
        queue(c, peerJid, messageId, type, about, JSONObjectUtils.toJSONString(body));
        return messageId;
    }

    /** Queues a control message under a message id of the caller's (one its payload names already). */
    public static void queue(Connection c, String peerJid, String messageId, String type, String about, String payload)
            throws SQLException {
        OUT_INSERT.update(
                c,
                OUT_INSERT
                        .params()
                        .text("peer", peerJid)
                        .text("message_id", messageId)
                        .text("type", type)
                        .text("about", about)
                        .text("payload", payload));
    }

    /**
     * Claims the control messages due (replicas share them), each due again after a back-off until acknowledged;
     * those that had {@code maxAttempts} become dead first.
     */
    public List<Outgoing> claim(int limit, double retrySeconds, int maxAttempts) throws SQLException {
        return Transactions.inTransaction(dataSource, c -> {
            List<String[]> dead = OUT_EXPIRE.query(c, OUT_EXPIRE.params().set("max_attempts", maxAttempts), rs ->
                    new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)});
            for (String[] row : dead) {
                String reason = "no acknowledgement after " + maxAttempts + " attempts";
                Map<String, Object> detail = new LinkedHashMap<>();
                detail.put("peer", row[0]);
                detail.put("message", row[1]);
                detail.put("type", row[2]);
                detail.put("reason", reason);
                ControlHandler handler = handlers.get(row[2]);
                if (handler != null) {
                    handler.refusedByPeer(c, row[0], row[2], row[3], reason, detail);
                }
                audit.append(c, List.of(AuditEvent.of("control.dead", AuditTrail.PROXY_ACTOR, null, null, detail)));
            }
            return OUT_CLAIM.query(
                    c,
                    OUT_CLAIM.params().set("retry_seconds", retrySeconds).set("limit", limit),
                    rs -> new Outgoing(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
        });
    }

    /** A control message that never reached its peer or that the peer refused: for dead-letters list. */
    public record Dead(
            long id,
            Instant createdAt,
            String peerJid,
            String type,
            String about,
            int attempts,
            String messageId,
            String reason) {}

    /** The dead control messages, newest first. */
    public static List<Dead> dead(DataSource dataSource, int limit) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return DEAD.query(
                    c,
                    DEAD.params().set("limit", limit),
                    rs -> new Dead(
                            rs.getLong(1),
                            Times.instant(rs, 2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getString(5),
                            rs.getInt(6),
                            rs.getString(7),
                            rs.getString(8)));
        }
    }

    /** Settles a sent control message with its peer's acknowledgement. */
    public void settle(ControlCodec.ControlAck ack) throws SQLException {
        Transactions.inTransaction(dataSource, c -> {
            String[] settled = OUT_SETTLE.one(
                    c,
                    OUT_SETTLE
                            .params()
                            .text("status", ack.accepted() ? "acked" : "dead")
                            .text("reason", ack.reason())
                            .text("peer", ack.senderJid())
                            .text("message_id", ack.messageId()),
                    rs -> new String[] {rs.getString(1), rs.getString(2)});
            if (settled != null && !ack.accepted()) {
                Map<String, Object> detail = new LinkedHashMap<>();
                detail.put("type", settled[0]);
                detail.put("message", ack.messageId());
                detail.put("reason", ack.reason());
                ControlHandler handler = handlers.get(settled[0]);
                if (handler != null) {
                    handler.refusedByPeer(c, ack.senderJid(), settled[0], settled[1], ack.reason(), detail);
                }
                audit.append(c, List.of(AuditEvent.of("control.refused", ack.senderJid(), null, null, detail)));
            }
            return null;
        });
    }

    /**
     * The payload of an outgoing message as it goes on the wire: an enrollment request as it is (its sender has no
     * key the other knows yet), anything else signed by the key that signs now.
     */
    public String wirePayload(Outgoing out, Clock clock) {
        if (ControlCodec.ENROLL_REQUEST.equals(out.type())) {
            return out.payload();
        }
        ECKey key = keys == null ? null : keys.current();
        if (key == null) {
            throw new IllegalArgumentException(
                    "this proxy has no signing key (senproxy.signing.key-file): control messages need one");
        }
        return ControlCodec.sign(
                key, ownJid, out.peerJid(), out.messageId(), out.type(), ControlCodec.json(out.payload()), clock);
    }
}
