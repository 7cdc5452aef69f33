package org.senproxy.federation;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import javax.sql.DataSource;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import org.senproxy.audit.AuditEvent;
import org.senproxy.audit.AuditTrail;
import org.senproxy.db.Sql;
import org.senproxy.db.Times;
import org.senproxy.db.Transactions;

/**
 * Key rotation and revocation over the control channel (issue 20, step 4).
 * <ul>
 * <li>{@link #rotate}: a new key becomes {@code next}; its public half is announced ({@code key-announce}) to every
 * enrolled peer, signed by the key that signs now. {@link #advance} (every replica, on the control timer) makes it
 * {@code active} once every peer acknowledged it, or at the end of the grace period; the key before it retires. The
 * announcement tells each peer until when to accept the key before: the switch at the latest plus the overlap.</li>
 * <li>{@link #revoke}: one of this proxy's keys announced as compromised ({@code key-revoke}, with the reason), or a
 * peer's key refused here; from then on a message signed with it is refused, with the reason.</li>
 * </ul>
 * Receiving, each side registers the announced key for the sending app or marks its key revoked, audited; a key
 * announcement for a key id it has with other material is refused.
 */
public class KeyRotation implements ControlHandler {

    public static final String KEY_ANNOUNCE = ControlCodec.KEY_ANNOUNCE;
    public static final String KEY_REVOKE = ControlCodec.KEY_REVOKE;

    private static final Sql NEXT_INSERT = Sql.of(KeyRotation.class, "own-key-next");
    private static final Sql NEXT_DUE = Sql.of(KeyRotation.class, "own-key-next-due");
    private static final Sql SWITCH_RETIRE = Sql.of(KeyRotation.class, "own-key-retire-active");
    private static final Sql SWITCH_ACTIVATE = Sql.of(KeyRotation.class, "own-key-activate");
    private static final Sql OWN_STATE = Sql.of(KeyRotation.class, "own-key-state");
    private static final Sql OWN_REVOKE = Sql.of(KeyRotation.class, "own-key-revoke");
    private static final Sql ENROLLED = Sql.of(KeyRotation.class, "enrolled-peers");
    private static final Sql APP_KEY_FIND = Sql.of(KeyRotation.class, "app-key-find");
    private static final Sql APP_KEY_ADD = Sql.of(KeyRotation.class, "app-key-announced");
    private static final Sql APP_KEY_RETIRE = Sql.of(KeyRotation.class, "app-key-retire");
    private static final Sql APP_KEY_REVOKE = Sql.of(KeyRotation.class, "app-key-revoke");
    private static final Sql NEXT_KEY = Sql.of(KeyRotation.class, "own-key-next-announced");

    /** What a rotation did. */
    public record Rotated(String kid, String previous, List<String> peers, Instant switchAt) {}

    /** The next key and whether it may sign now. */
    private record Due(String kid, boolean graceOver, long waiting) {}

    private final ControlMessages control;
    private final DataSource dataSource;
    private final AuditTrail audit;
    private volatile Consumer<String> keysChanged = jid -> {};

    public KeyRotation(ControlMessages control, DataSource dataSource, AuditTrail audit) {
        this.control = control;
        this.dataSource = dataSource;
        this.audit = audit;
    }

    /** Where the next key's private half goes: beside the configured key, where every replica looks for it. */
    public Path keyFolder() {
        return control.keys().folder();
    }

    /**
     * Told the address of a peer whose keys changed here (a key announced or revoked), once committed: the data
     * path's remembered keys ({@link Signatures#forget}) are read again at once on this replica, and within
     * {@code senproxy.inbound.lookup-cache-ms} on the others.
     */
    public KeyRotation onKeysChanged(Consumer<String> keysChanged) {
        this.keysChanged = keysChanged;
        return this;
    }

    @Override
    public void committed(ControlCodec.Received message) {
        keysChanged.accept(message.senderJid());
    }

    /**
     * Records {@code next} as the next key and queues its announcement to every enrolled peer.
     *
     * @param grace   how long to wait for the peers' acknowledgements before signing with it anyway
     * @param overlap how long the peers accept the current key after the switch
     */
    public Rotated rotate(ECKey next, Duration grace, Duration overlap, String actor) throws SQLException {
        ECKey configured = control.keys() == null ? null : control.keys().configured();
        if (configured == null) {
            throw new IllegalArgumentException(
                    "this proxy has no signing key (senproxy.signing.key-file): there is nothing to rotate");
        }
        if (!next.isPrivate() || !Curve.P_256.equals(next.getCurve()) || next.getKeyID() == null) {
            throw new IllegalArgumentException("the next key must be a private P-256 key with a key id");
        }
        return Transactions.inTransaction(dataSource, c -> {
            String previous = OwnKeys.activeKid(c, configured);
            String state = OWN_STATE.one(c, OWN_STATE.params().text("kid", next.getKeyID()), rs -> rs.getString(1));
            if (state != null) {
                throw new IllegalArgumentException("key " + next.getKeyID() + " is known here already (" + state + ")");
            }
            Instant switchAt;
            try {
                switchAt = NEXT_INSERT.one(
                        c,
                        NEXT_INSERT
                                .params()
                                .text("kid", next.getKeyID())
                                .text("jwk", next.toPublicJWK().toJSONString())
                                .set("grace_s", (double) grace.toSeconds())
                                .set("overlap_s", (int) overlap.toSeconds())
                                .text("actor", actor),
                        rs -> Times.instant(rs, 1));
            } catch (SQLException oneNextOnly) {
                if ("23505".equals(oneNextOnly.getSQLState())) {
                    throw new IllegalArgumentException(
                            "a rotation is under way already (keys list shows the next key): wait for its switch");
                }
                throw oneNextOnly;
            }
            List<String> peers = ENROLLED.query(c, ENROLLED.params(), rs -> rs.getString(1));
            Map<String, Object> body =
                    announcement(next.toPublicJWK().toJSONObject(), previous, switchAt.plus(overlap));
            for (String peer : peers) {
                ControlMessages.queue(c, peer, KEY_ANNOUNCE, next.getKeyID(), body);
            }
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("kid", next.getKeyID());
            detail.put("thumbprint", AppKeys.thumbprint(next));
            detail.put("previous", previous);
            detail.put("peers", peers);
            detail.put("switch_at_latest", switchAt.toString());
            detail.put("overlap_s", overlap.toSeconds());
            audit.append(c, List.of(AuditEvent.of("key.rotated", actor, null, null, detail)));
            return new Rotated(next.getKeyID(), previous, peers, switchAt);
        });
    }

    private static Map<String, Object> announcement(Map<String, Object> jwk, String replaces, Instant previousUntil) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("jwk", jwk);
        body.put("replaces", replaces);
        body.put("previous_valid_until", previousUntil.toString());
        return body;
    }

    /**
     * A peer enrolled while a rotation is under way: the enrollment's answer gave it the key that signs now, so it is
     * sent the next key's announcement too (queued after the answer, in the same transaction), and the switch waits
     * for its acknowledgement as for the others'.
     *
     * @return whether a rotation was under way
     */
    static boolean announceNextTo(Connection c, OwnKeys keys, String peer) throws SQLException {
        if (keys == null || keys.configured() == null) {
            return false;
        }
        String previous = OwnKeys.activeKid(c, keys.configured());
        Map<String, Object> body = NEXT_KEY.one(c, NEXT_KEY.params(), rs -> {
            try {
                return announcement(JSONObjectUtils.parse(rs.getString(2)), previous, Times.instant(rs, 3));
            } catch (ParseException e) {
                throw new IllegalStateException("own_key " + rs.getString(1) + " does not hold a JWK", e);
            }
        });
        if (body == null) {
            return false;
        }
        ControlMessages.queue(c, peer, KEY_ANNOUNCE, (String) ((Map<?, ?>) body.get("jwk")).get("kid"), body);
        return true;
    }

    /**
     * Makes the next key the active one once every peer acknowledged its announcement (or refused it, or never
     * answered: then at the end of the grace period).
     *
     * @return the key id that signs from now on, or null when nothing changed
     */
    public String advance() throws SQLException {
        return Transactions.inTransaction(dataSource, c -> {
            Due due =
                    NEXT_DUE.one(c, NEXT_DUE.params(), rs -> new Due(rs.getString(1), rs.getBoolean(2), rs.getLong(3)));
            if (due == null || (due.waiting() > 0 && !due.graceOver())) {
                return null;
            }
            String previous = SWITCH_RETIRE.one(c, SWITCH_RETIRE.params(), rs -> rs.getString(1));
            SWITCH_ACTIVATE.update(c, SWITCH_ACTIVATE.params().text("kid", due.kid()));
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("kid", due.kid());
            detail.put("previous", previous);
            detail.put(
                    "why",
                    due.waiting() == 0
                            ? "every peer acknowledged it"
                            : "grace period over; " + due.waiting() + " peer(s) had not acknowledged it");
            audit.append(c, List.of(AuditEvent.of("key.activated", AuditTrail.PROXY_ACTOR, null, null, detail)));
            return due.kid();
        });
    }

    /**
     * Revokes a key: one of this proxy's (announced to every enrolled peer), or a peer's ({@code app}: which one,
     * when the key id alone does not say).
     *
     * @return what was done, for the operator
     */
    public String revoke(String kid, String app, String reason, String actor) throws SQLException {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("say why (--reason): the peers are told");
        }
        return Transactions.inTransaction(dataSource, c -> {
            String state =
                    app != null ? null : OWN_STATE.one(c, OWN_STATE.params().text("kid", kid), rs -> rs.getString(1));
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("kid", kid);
            detail.put("reason", reason);
            if (state != null) {
                if ("active".equals(state)) {
                    throw new IllegalArgumentException("key " + kid + " signs for this proxy now: rotate first (keys"
                            + " rotate), then revoke it");
                }
                if ("revoked".equals(state)) {
                    throw new IllegalArgumentException("key " + kid + " is revoked already");
                }
                OWN_REVOKE.update(c, OWN_REVOKE.params().text("kid", kid).text("reason", reason));
                List<String> peers = ENROLLED.query(c, ENROLLED.params(), rs -> rs.getString(1));
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("kid", kid);
                body.put("reason", reason);
                for (String peer : peers) {
                    ControlMessages.queue(c, peer, KEY_REVOKE, kid, body);
                }
                detail.put("own", true);
                detail.put("peers", peers);
                audit.append(c, List.of(AuditEvent.of("key.revoked", actor, null, null, detail)));
                return "key " + kid + " revoked; announced to " + peers.size() + " peer(s)";
            }
            List<String> apps = APP_KEY_REVOKE.query(
                    c,
                    APP_KEY_REVOKE.params().text("kid", kid).text("app", app).text("reason", reason),
                    rs -> rs.getString(1));
            if (apps.isEmpty()) {
                throw new IllegalArgumentException("no key " + kid + (app == null ? "" : " of app " + app)
                        + " in force here (keys list shows them)");
            }
            if (apps.size() > 1) {
                throw new IllegalArgumentException(
                        "apps " + apps + " each have a key " + kid + ": say which one (--app)");
            }
            detail.put("app", apps.get(0));
            audit.append(c, List.of(AuditEvent.of("key.revoked", actor, null, null, detail)));
            return "key " + kid + " of app " + apps.get(0) + " revoked: its messages are refused from now on";
        });
    }

    // ---- receiving

    @Override
    public Set<String> types() {
        return Set.of(KEY_ANNOUNCE, KEY_REVOKE);
    }

    @Override
    public String refusalKind() {
        return "key.refused";
    }

    @Override
    public void handle(Connection c, ControlCodec.Received message, Map<String, Object> detail) throws SQLException {
        ControlMessages.Signed signed = control.signer(c, message);
        detail.put("app", signed.app());
        if (KEY_ANNOUNCE.equals(message.type())) {
            announced(c, message, signed, detail);
        } else {
            String kid = text(signed.body(), "kid");
            String reason = text(signed.body(), "reason");
            if (kid.equals(signed.kid())) {
                throw new ControlRefused("a key revocation is signed by another key than the one it revokes");
            }
            List<String> apps = APP_KEY_REVOKE.query(
                    c,
                    APP_KEY_REVOKE
                            .params()
                            .text("kid", kid)
                            .text("app", signed.app())
                            .text("reason", reason),
                    rs -> rs.getString(1));
            detail.put("kid", kid);
            detail.put("reason", reason);
            detail.put("was_registered", !apps.isEmpty());
            audit.append(c, List.of(AuditEvent.of("key.revoked", message.senderJid(), null, null, detail)));
        }
    }

    private void announced(
            Connection c, ControlCodec.Received message, ControlMessages.Signed signed, Map<String, Object> detail)
            throws SQLException {
        ECKey key = Enrollments.publicKey(signed.body().get("jwk"));
        String replaces = text(signed.body(), "replaces");
        Instant previousUntil;
        try {
            previousUntil = Instant.parse(text(signed.body(), "previous_valid_until"));
        } catch (RuntimeException e) {
            throw new ControlRefused("previous_valid_until is not an ISO 8601 instant");
        }
        String thumbprint = AppKeys.thumbprint(key);
        detail.put("kid", key.getKeyID());
        detail.put("thumbprint", thumbprint);
        String registered = APP_KEY_FIND.one(
                c,
                APP_KEY_FIND.params().set("app_id", signed.appId()).text("kid", key.getKeyID()),
                rs -> rs.getString(1));
        if (registered != null) {
            ECKey before;
            try {
                before = ECKey.parse(registered);
            } catch (ParseException e) {
                throw new IllegalStateException("a registered key is not an EC JWK", e);
            }
            if (!AppKeys.thumbprint(before).equals(thumbprint)) {
                throw new ControlRefused("key " + key.getKeyID() + " is registered here with other material: a new"
                        + " key needs a new key id");
            }
        } else {
            APP_KEY_ADD.update(
                    c,
                    APP_KEY_ADD
                            .params()
                            .set("app_id", signed.appId())
                            .text("kid", key.getKeyID())
                            .text("jwk", key.toPublicJWK().toJSONString()));
        }
        APP_KEY_RETIRE.update(
                c,
                APP_KEY_RETIRE
                        .params()
                        .set("app_id", signed.appId())
                        .text("kid", replaces)
                        .set("until", Times.utc(previousUntil)));
        detail.put("replaces", replaces);
        detail.put("previous_valid_until", previousUntil.toString());
        detail.put("message", message.messageId());
        audit.append(c, List.of(AuditEvent.of("key.announced", message.senderJid(), null, null, detail)));
    }

    private static String text(Map<String, Object> body, String name) {
        if (body.get(name) instanceof String s && !s.isBlank() && s.length() <= 512) {
            return s;
        }
        throw new ControlRefused("the message has no valid " + name);
    }
}
