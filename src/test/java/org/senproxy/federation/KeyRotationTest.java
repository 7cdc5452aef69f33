package org.senproxy.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import org.jivesoftware.smack.packet.Message;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.impl.JidCreate;
import org.senproxy.audit.AuditTrail;
import org.senproxy.audit.ChangeSignatures;
import org.senproxy.audit.SignerKeys;

/**
 * Key rotation and revocation between two enrolled proxies, the control stanzas written and read by the real codec:
 * the new key announced, acknowledged, then signing on every replica that holds it; the old one accepted for the
 * overlap, then refused once revoked, with the reason. Each bad control message is refused with its reason.
 */
class KeyRotationTest {

    private static final String A = "holder-a@example.org";
    private static final String B = "monitor-b@example.org";

    @TempDir
    Path keysOfA;

    private ECKey keyA;
    private ControlPeer a;
    private ControlPeer b;

    @BeforeEach
    void twoEnrolledProxies() throws Exception {
        keyA = new ECKeyGenerator(Curve.P_256).keyID("a-1").generate();
        Files.writeString(keysOfA.resolve("signing.jwk"), keyA.toJSONString());
        a = new ControlPeer("rotate_a", A, new OwnKeys(keyA, keysOfA), 10);
        b = new ControlPeer(
                "rotate_b", B, new ECKeyGenerator(Curve.P_256).keyID("b-1").generate(), 10);
        b.join(a.invite("city-monitor", Duration.ofHours(1), "alice").invitation(), "data-holder", "bob");
        assertThat(b.deliverTo(a)).allMatch(ControlMessages.Answer::accepted);
        assertThat(a.deliverTo(b)).allMatch(ControlMessages.Answer::accepted);
        a.control.keys().refresh(a.dataSource);
    }

    private static String text(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** A's next key, its private half written where A's replicas look for it. */
    private ECKey nextKey(String kid) throws Exception {
        ECKey next = new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        Files.writeString(keysOfA.resolve(kid + ".jwk"), next.toJSONString());
        return next;
    }

    /** A control message from A signed with {@code key}, as B receives it. */
    private ControlMessages.Answer fromA(String id, String type, Map<String, Object> body, ECKey key) throws Exception {
        String payload = key == null
                ? JSONObjectUtils.toJSONString(body)
                : ControlCodec.sign(key, A, B, id, type, body, Clock.systemUTC());
        Message stanza = ControlCodec.stanza(B, A, id, type, payload);
        stanza.setFrom(JidCreate.from(A + "/proxy"));
        return b.receive(ControlCodec.decode(ControlPeer.reparse(stanza)));
    }

    @Test
    void aPeerEnrollingDuringARotationIsToldTheNextKeyAndTheSwitchWaitsForIt() throws Exception {
        ECKey next = nextKey("a-2");
        a.rotation.rotate(next, Duration.ofMinutes(10), Duration.ofHours(2), "alice");
        assertThat(a.deliverTo(b)).containsExactly(new ControlMessages.Answer(true, null));

        // C enrolls after the announcement went out: A's answer gives it a-1 (it signs now), then a-2's announcement
        ControlPeer c = new ControlPeer(
                "rotate_c",
                "late-c@example.org",
                new ECKeyGenerator(Curve.P_256).keyID("c-1").generate(),
                10);
        c.join(a.invite("late-comer", Duration.ofHours(1), "alice").invitation(), "data-holder", "carol");
        assertThat(c.deliverTo(a)).allMatch(ControlMessages.Answer::accepted);
        assertThat(a.rotation.advance()).as("C has not acknowledged a-2 yet").isNull();
        // the announcement overtaking the answer (the answer lost, sent again) is left unanswered, so sent again
        List<ControlMessages.Outgoing> due = a.claim(10, 0, 5);
        assertThat(due).extracting(ControlMessages.Outgoing::type).containsExactly("enroll-accept", "key-announce");
        Message announce = ControlCodec.stanza(
                c.jid, A, due.get(1).messageId(), due.get(1).type(), a.wirePayload(due.get(1), Clock.systemUTC()));
        announce.setFrom(JidCreate.from(A + "/proxy"));
        assertThatThrownBy(() -> c.receive(ControlCodec.decode(ControlPeer.reparse(announce))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("came before the answer to this proxy's enrollment");
        assertThat(a.deliverTo(c))
                .containsExactly(new ControlMessages.Answer(true, null), new ControlMessages.Answer(true, null));
        assertThat(text(c.url, "SELECT string_agg(kid, ',' ORDER BY kid) FROM app_key"))
                .isEqualTo("a-1,a-2");
        assertThat(text(c.url, "SELECT valid_until > now() + interval '1 hour' FROM app_key WHERE kid = 'a-1'"))
                .isEqualTo("t");
        assertThat(a.rotation.advance()).isEqualTo("a-2");
        assertThat(text(a.url, "SELECT detail FROM audit_log WHERE kind = 'enrollment.accepted' ORDER BY seq DESC"))
                .contains("\"next_key_announced\":true");
    }

    @Test
    void aRotatedKeyIsAnnouncedThenSignsOnceAcknowledgedAndTheOldOneIsAcceptedForTheOverlap() throws Exception {
        ECKey next = nextKey("a-2");
        KeyRotation.Rotated rotated = a.rotation.rotate(next, Duration.ofMinutes(10), Duration.ofHours(2), "alice");
        assertThat(rotated.previous()).isEqualTo("a-1");
        assertThat(rotated.peers()).containsExactly(B);
        // not acknowledged yet: A still signs with its key
        assertThat(a.rotation.advance()).isNull();
        a.control.keys().refresh(a.dataSource);
        assertThat(a.control.keys().current().getKeyID()).isEqualTo("a-1");

        List<ControlMessages.Answer> answers = a.deliverTo(b); // the announcement, signed by a-1
        assertThat(answers).containsExactly(new ControlMessages.Answer(true, null));
        assertThat(text(b.url, "SELECT string_agg(kid, ',' ORDER BY kid) FROM app_key"))
                .isEqualTo("a-1,a-2");
        assertThat(text(b.url, "SELECT valid_until > now() + interval '1 hour' FROM app_key WHERE kid = 'a-1'"))
                .isEqualTo("t");

        assertThat(a.rotation.advance()).isEqualTo("a-2");
        assertThat(text(a.url, "SELECT string_agg(kid || ' ' || state, ',' ORDER BY kid) FROM own_key"))
                .isEqualTo("a-1 retired,a-2 active");
        a.control.keys().refresh(a.dataSource);
        assertThat(a.control.keys().current().getKeyID()).isEqualTo("a-2");
        assertThat(text(a.url, "SELECT detail FROM audit_log WHERE kind = 'key.activated'"))
                .contains("every peer acknowledged it");

        // both keys are accepted by B meanwhile: the old one for the overlap
        Map<String, Object> body = Map.of("kid", "nope", "reason", "test");
        assertThat(fromA("m-old", KeyRotation.KEY_REVOKE, body, keyA).accepted())
                .isTrue();
        assertThat(fromA("m-new", KeyRotation.KEY_REVOKE, body, next).accepted())
                .isTrue();

        // the audit trail's checkpoints are signed by the active key too, and verify by the keys own_key records
        AuditTrail trail =
                new AuditTrail(a.dataSource, Clock.systemUTC(), keyA, List.of()).signingWith(a.control.keys()::current);
        assertThat(trail.checkpoint()).isNotNull();
        assertThat(text(a.url, "SELECT signature FROM audit_log WHERE kind = 'audit.checkpoint'"))
                .isNotNull();
        assertThat(ChangeSignatures.signer(
                        text(a.url, "SELECT signature FROM audit_log WHERE kind = 'audit.checkpoint'")))
                .isEqualTo(SignerKeys.thumbprint(next));
        AuditTrail.Verification verified = new AuditTrail(a.dataSource, Clock.systemUTC()).verify();
        assertThat(verified.intact()).as(verified.problem()).isTrue();
        assertThat(verified.checkpointSeq()).isNotNull();

        // a second replica of A, started with the old key file, signs with the new key as soon as it refreshes
        OwnKeys replica = new OwnKeys(keyA, keysOfA);
        replica.refresh(a.dataSource);
        assertThat(replica.current().getKeyID()).isEqualTo("a-2");
    }

    @Test
    void withoutAcknowledgementTheSwitchComesAtTheEndOfTheGracePeriod() throws Exception {
        a.rotation.rotate(nextKey("a-2"), Duration.ZERO, Duration.ofHours(1), "alice");
        assertThat(a.rotation.advance()).isEqualTo("a-2");
        assertThat(text(a.url, "SELECT detail FROM audit_log WHERE kind = 'key.activated'"))
                .contains("1 peer(s) had not acknowledged it");
        // a second rotation waits for the first one only while it is under way
        a.rotation.rotate(nextKey("a-3"), Duration.ofHours(1), Duration.ofHours(1), "alice");
        assertThatThrownBy(() -> a.rotation.rotate(nextKey("a-4"), Duration.ofHours(1), Duration.ofHours(1), "alice"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a rotation is under way already");
    }

    @Test
    void aRevokedKeyIsRefusedWithTheReasonAndTheKeyThatSignsCannotBeRevoked() throws Exception {
        ECKey next = nextKey("a-2");
        a.rotation.rotate(next, Duration.ofMinutes(10), Duration.ofHours(2), "alice");
        a.deliverTo(b);
        a.rotation.advance();
        a.control.keys().refresh(a.dataSource);
        assertThatThrownBy(() -> a.rotation.revoke("a-2", null, "oops", "alice"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("signs for this proxy now: rotate first");

        assertThat(a.rotation.revoke("a-1", null, "laptop stolen", "alice")).contains("announced to 1 peer(s)");
        assertThat(a.deliverTo(b)).containsExactly(new ControlMessages.Answer(true, null)); // signed by a-2
        assertThat(text(b.url, "SELECT revoked_reason FROM app_key WHERE kid = 'a-1'"))
                .isEqualTo("laptop stolen");
        ControlMessages.Answer refused =
                fromA("after-revoke", KeyRotation.KEY_REVOKE, Map.of("kid", "x", "reason", "y"), keyA);
        assertThat(refused.accepted()).isFalse();
        assertThat(refused.reason()).contains("signed by key a-1, revoked at").contains("laptop stolen");
        assertThat(text(b.url, "SELECT count(*) FROM audit_log WHERE kind = 'key.refused'"))
                .isEqualTo("1");
    }

    @Test
    void badControlMessagesAreRefusedWithTheirReasonAndNothingRegistered() throws Exception {
        Map<String, Object> announce = Map.of(
                "jwk",
                new ECKeyGenerator(Curve.P_256)
                        .keyID("evil")
                        .generate()
                        .toPublicJWK()
                        .toJSONObject(),
                "replaces",
                "a-1",
                "previous_valid_until",
                "2099-01-01T00:00:00Z");
        // unsigned
        assertThat(fromA("u1", KeyRotation.KEY_ANNOUNCE, announce, null).reason())
                .contains("unsigned control message");
        // signed by a key B does not know for A
        ECKey stranger = new ECKeyGenerator(Curve.P_256).keyID("stranger").generate();
        assertThat(fromA("u2", KeyRotation.KEY_ANNOUNCE, announce, stranger).reason())
                .contains("signed by key 'stranger', unknown for data-holder");
        // signed by a key that had its time (retired)
        try (Connection c = DriverManager.getConnection(b.url, "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("UPDATE app_key SET valid_until = now() - interval '1 minute' WHERE kid = 'a-1'");
        }
        assertThat(fromA("u3", KeyRotation.KEY_ANNOUNCE, announce, keyA).reason())
                .contains("signed by key a-1, retired at");
        assertThat(text(b.url, "SELECT count(*) FROM app_key WHERE kid = 'evil'"))
                .isEqualTo("0");
        // replayed: the same id gets the same answer, recorded once
        assertThat(fromA("u3", KeyRotation.KEY_ANNOUNCE, announce, keyA).reason())
                .contains("signed by key a-1, retired at");
        assertThat(text(b.url, "SELECT count(*) FROM control_message WHERE message_id = 'u3'"))
                .isEqualTo("1");
        // from an address that is not a peer
        Message stanza = ControlCodec.stanza(
                B,
                "someone@example.org",
                "u4",
                KeyRotation.KEY_REVOKE,
                ControlCodec.sign(
                        stranger,
                        "someone@example.org",
                        B,
                        "u4",
                        KeyRotation.KEY_REVOKE,
                        Map.of("kid", "a-1", "reason", "x"),
                        Clock.systemUTC()));
        stanza.setFrom(JidCreate.from("someone@example.org/x"));
        assertThat(b.receive(ControlCodec.decode(stanza)).reason()).contains("is not a peer of this proxy");
        assertThat(text(b.url, "SELECT count(*) FROM app_key WHERE revoked_at IS NOT NULL"))
                .isEqualTo("0");
    }
}
