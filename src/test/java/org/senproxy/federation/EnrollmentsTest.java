package org.senproxy.federation;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import org.jivesoftware.smack.packet.Message;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;

/**
 * Enrollment between two proxies with empty databases, the control stanzas built and read by the real codec and
 * handed across as the XMPP server would (its sender authenticated): the happy path, then each bad input refused with
 * its reason, audited, nothing registered.
 */
class EnrollmentsTest {

    private static final String A = "proxy-a@example.org";
    private static final String B = "proxy-b@example.org";
    private static final String C = "proxy-c@example.org";

    private String dbA;
    private String dbB;
    private String dbC;
    private ECKey keyA;
    private ECKey keyB;
    private ECKey keyC;
    private ControlPeer a;
    private ControlPeer b;
    private ControlPeer c;

    @BeforeEach
    void twoEmptyProxies() throws Exception {

        keyA = new ECKeyGenerator(Curve.P_256).keyID("a-1").generate();
        keyB = new ECKeyGenerator(Curve.P_256).keyID("b-1").generate();
        keyC = new ECKeyGenerator(Curve.P_256).keyID("c-1").generate();
        a = enrollments("enroll_a", A, keyA, 3);
        b = enrollments("enroll_b", B, keyB, 3);
        c = enrollments("enroll_c", C, keyC, 3);
        dbA = a.url;
        dbB = b.url;
        dbC = c.url;
    }

    private static ControlPeer enrollments(String url, String jid, ECKey key, int limit) {
        return new ControlPeer(url, jid, key, limit);
    }

    /** Sends what {@code from} has due to {@code to}, as stanzas; returns the answers (control-acks), settled. */
    private static List<ControlMessages.Answer> deliver(ControlPeer from, String fromJid, ControlPeer to, String toJid)
            throws Exception {
        return from.deliverTo(to);
    }

    private static Message reparse(Message stanza) throws Exception {
        return ControlPeer.reparse(stanza);
    }

    private static String text(String url, String sql) throws Exception {
        try (Connection conn = DriverManager.getConnection(url, "postgres", "");
                Statement s = conn.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static void execute(String url, String sql) throws Exception {
        try (Connection conn = DriverManager.getConnection(url, "postgres", "");
                Statement s = conn.createStatement()) {
            s.execute(sql);
        }
    }

    @Test
    void twoEmptyProxiesEnrollWithEachOthersKeys() throws Exception {
        Invitation invitation =
                a.invite("city-monitor", Duration.ofHours(24), "alice").invitation();
        assertThat(invitation.fingerprint()).isEqualTo(AppKeys.thumbprint(keyA));
        assertThat(text(dbA, "SELECT count(*) FROM invitation WHERE proof_key LIKE '%" + invitation.secret() + "%'"))
                .isEqualTo("0");
        String request = b.join(Invitation.parse(invitation.encode()), "data-holder", "bob");
        assertThat(text(dbB, "SELECT enrollment FROM app WHERE name = 'data-holder'"))
                .isEqualTo("pending");

        List<ControlMessages.Answer> answers = deliver(b, B, a, A);
        assertThat(answers).containsExactly(new ControlMessages.Answer(true, null));
        assertThat(text(dbA, "SELECT jid || ' ' || enrollment FROM app WHERE name = 'city-monitor'"))
                .isEqualTo(B + " enrolled");
        assertThat(text(dbA, "SELECT kid FROM app_key")).isEqualTo("b-1");
        assertThat(text(dbA, "SELECT used_by_jid FROM invitation")).isEqualTo(B);
        assertThat(text(dbB, "SELECT status FROM control_message WHERE message_id = '" + request + "'"))
                .isEqualTo("acked");

        assertThat(deliver(a, A, b, B)).containsExactly(new ControlMessages.Answer(true, null));
        assertThat(text(dbB, "SELECT jid || ' ' || enrollment FROM app WHERE name = 'data-holder'"))
                .isEqualTo(A + " enrolled");
        assertThat(text(dbB, "SELECT kid FROM app_key")).isEqualTo("a-1");
        assertThat(text(dbA, "SELECT string_agg(kind, ',' ORDER BY seq) FROM audit_log"))
                .isEqualTo("enrollment.invited,enrollment.accepted");
        assertThat(text(dbB, "SELECT string_agg(kind, ',' ORDER BY seq) FROM audit_log"))
                .isEqualTo("enrollment.requested,enrollment.completed");
        assertThat(text(dbB, "SELECT detail FROM audit_log WHERE kind = 'enrollment.completed'"))
                .contains("urn:dev:prm:1_power");
        // nothing left to send either way
        assertThat(a.claim(10, 60, 5)).isEmpty();
        assertThat(b.claim(10, 60, 5)).isEmpty();
    }

    @Test
    void aMessageReceivedAgainIsAnsweredAsTheFirstTimeAndWrittenOnce() throws Exception {
        Invitation invitation =
                a.invite("city-monitor", Duration.ofHours(1), "alice").invitation();
        b.join(invitation, "data-holder", "bob");
        ControlMessages.Outgoing out = b.claim(10, 60, 5).get(0);
        Message stanza = ControlCodec.stanza(A, B, out.messageId(), out.type(), b.wirePayload(out, Clock.systemUTC()));
        stanza.setFrom(JidCreate.from(B + "/x"));
        assertThat(a.receive(ControlCodec.decode(stanza)).accepted()).isTrue();
        assertThat(a.receive(ControlCodec.decode(stanza)).accepted()).isTrue(); // the ack was lost: sent again
        assertThat(text(dbA, "SELECT count(*) FROM app")).isEqualTo("1");
        assertThat(text(dbA, "SELECT count(*) FROM control_message WHERE direction = 'in'"))
                .isEqualTo("1");
        assertThat(text(dbA, "SELECT count(*) FROM control_message WHERE direction = 'out'"))
                .isEqualTo("1");
    }

    @Test
    void twoReplicasReceivingTheSameRequestAtOnceGiveTheSameAnswer() throws Exception {
        Invitation invitation =
                a.invite("city-monitor", Duration.ofHours(1), "alice").invitation();
        b.join(invitation, "data-holder", "bob");
        ControlMessages.Outgoing out = b.claim(10, 60, 5).get(0);
        Message stanza = ControlCodec.stanza(A, B, out.messageId(), out.type(), b.wirePayload(out, Clock.systemUTC()));
        stanza.setFrom(JidCreate.from(B + "/x"));
        ControlPeer replica = ControlPeer.replicaOf(a, 3);
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        Future<ControlMessages.Answer> first = pool.submit(() -> {
            go.await();
            return a.receive(ControlCodec.decode(stanza));
        });
        Future<ControlMessages.Answer> second = pool.submit(() -> {
            go.await();
            return replica.receive(ControlCodec.decode(stanza));
        });
        go.countDown();
        assertThat(first.get().accepted()).isTrue();
        assertThat(second.get().accepted()).isTrue();
        pool.shutdown();
        assertThat(text(dbA, "SELECT count(*) FROM app")).isEqualTo("1");
        assertThat(text(dbA, "SELECT count(*) FROM control_message")).isEqualTo("2"); // the request, the answer
        assertThat(text(dbA, "SELECT count(*) FROM audit_log WHERE kind = 'enrollment.refused'"))
                .isEqualTo("0");
    }

    /** Refused with the reason, recorded, audited on A; nothing registered there. */
    private void refusedOnA(ControlMessages.Answer answer, String reason) throws Exception {
        assertThat(answer.accepted()).isFalse();
        assertThat(answer.reason()).contains(reason);
        assertThat(text(dbA, "SELECT detail FROM audit_log WHERE kind = 'enrollment.refused' ORDER BY seq DESC"))
                .contains(reason);
    }

    private ControlMessages.Answer send(ControlPeer from, String fromJid) throws Exception {
        List<ControlMessages.Answer> answers = deliver(from, fromJid, a, A);
        assertThat(answers).hasSize(1);
        return answers.get(0);
    }

    @Test
    void aReusedInvitationIsRefused() throws Exception {
        Invitation invitation =
                a.invite("city-monitor", Duration.ofHours(1), "alice").invitation();
        b.join(invitation, "data-holder", "bob");
        assertThat(send(b, B).accepted()).isTrue();
        // B's operator joins again with the same invitation (a new request, a new message id)
        execute(dbB, "DELETE FROM app_key; DELETE FROM app");
        b.join(invitation, "data-holder", "bob");
        refusedOnA(send(b, B), "was used already");
        assertThat(text(dbA, "SELECT count(*) FROM app")).isEqualTo("1");
        // B is told: its pending app is removed, the refusal audited there too
        assertThat(text(dbB, "SELECT count(*) FROM app")).isEqualTo("0");
        assertThat(text(dbB, "SELECT detail FROM audit_log WHERE kind = 'control.refused'"))
                .contains("was used already");
    }

    @Test
    void anInvitationUsedByOneAddressIsRefusedToAnother() throws Exception {
        Invitation invitation =
                a.invite("city-monitor", Duration.ofHours(1), "alice").invitation();
        b.join(invitation, "data-holder", "bob");
        assertThat(send(b, B).accepted()).isTrue();
        c.join(invitation, "data-holder", "carol"); // a copy of the invitation, at C
        refusedOnA(send(c, C), "was used by another address");
        assertThat(text(dbA, "SELECT string_agg(jid, ',') FROM app")).isEqualTo(B);
    }

    @Test
    void anExpiredInvitationIsRefused() throws Exception {
        Invitation invitation =
                a.invite("city-monitor", Duration.ofHours(1), "alice").invitation();
        execute(dbA, "UPDATE invitation SET expires_at = now() - interval '1 second'");
        b.join(invitation, "data-holder", "bob");
        refusedOnA(send(b, B), "expired at");
        assertThat(text(dbA, "SELECT count(*) FROM app")).isEqualTo("0");
        assertThat(text(dbA, "SELECT used_at FROM invitation")).isNull();
    }

    @Test
    void anAlteredInvitationIsRefused() throws Exception {
        Invitation invitation =
                a.invite("city-monitor", Duration.ofHours(1), "alice").invitation();
        Invitation altered = new Invitation(
                invitation.id(), invitation.jid(), Invitation.create(A, "x").secret(), invitation.fingerprint());
        b.join(altered, "data-holder", "bob");
        refusedOnA(send(b, B), "the proof does not match");
        assertThat(text(dbA, "SELECT count(*) FROM app")).isEqualTo("0");
        // the invitation still works for the one who holds it
        execute(dbB, "DELETE FROM app");
        b.join(invitation, "data-holder", "bob");
        assertThat(send(b, B).accepted()).isTrue();
    }

    @Test
    void aForeignInvitationIsRefused() throws Exception {
        Invitation foreign = Invitation.create(A, AppKeys.thumbprint(keyA)); // never issued by A
        b.join(foreign, "data-holder", "bob");
        refusedOnA(send(b, B), "unknown invitation");
        assertThat(text(dbA, "SELECT count(*) FROM app")).isEqualTo("0");
    }

    @Test
    void aRequestNamingAnotherAddressThanItsSenderIsRefused() throws Exception {
        Invitation invitation =
                a.invite("city-monitor", Duration.ofHours(1), "alice").invitation();
        b.join(invitation, "data-holder", "bob");
        ControlMessages.Outgoing out = b.claim(10, 60, 5).get(0);
        // C relays B's request as its own
        Message stanza = ControlCodec.stanza(A, C, out.messageId(), out.type(), out.payload());
        stanza.setFrom(JidCreate.from(C + "/x"));
        ControlMessages.Answer answer = a.receive(ControlCodec.decode(stanza));
        refusedOnA(answer, "not its authenticated sender");
        assertThat(text(dbA, "SELECT count(*) FROM app")).isEqualTo("0");
    }

    @Test
    void floodingIsRateLimitedCountedAndAuditedOnce() throws Exception {
        for (int i = 0; i < 6; i++) {
            Map<String, Object> junk = Map.of(
                    "invitation",
                    "nope-" + i,
                    "jid",
                    C,
                    "jwk",
                    keyC.toPublicJWK().toJSONObject(),
                    "nonce",
                    "n",
                    "proof",
                    "p");
            Message stanza = ControlCodec.stanza(
                    A,
                    C,
                    UUID.randomUUID().toString(),
                    ControlCodec.ENROLL_REQUEST,
                    JSONObjectUtils.toJSONString(junk));
            stanza.setFrom(JidCreate.from(C + "/x"));
            ControlMessages.Answer answer = a.receive(ControlCodec.decode(stanza));
            assertThat(answer.accepted()).isFalse();
            assertThat(answer.reason()).contains(i < 3 ? "unknown invitation" : "too many enrollment requests");
        }
        assertThat(a.rateLimitedCount()).isEqualTo(3);
        assertThat(text(dbA, "SELECT count(*) FROM control_message")).isEqualTo("3");
        assertThat(text(dbA, "SELECT count(*) FROM audit_log WHERE detail LIKE '%too many%'"))
                .isEqualTo("1");
        assertThat(text(dbA, "SELECT count(*) FROM app")).isEqualTo("0");
    }

    @Test
    void anAnswerNotSignedByTheAnnouncedKeyIsRefusedAndNothingRegistered() throws Exception {
        Invitation invitation =
                a.invite("city-monitor", Duration.ofHours(1), "alice").invitation();
        // the invitation announces another key than A's: a man in the middle answering with its own
        Invitation other =
                new Invitation(invitation.id(), invitation.jid(), invitation.secret(), AppKeys.thumbprint(keyC));
        b.join(other, "data-holder", "bob");
        assertThat(send(b, B).accepted()).isTrue();
        List<ControlMessages.Answer> answers = deliver(a, A, b, B);
        assertThat(answers.get(0).accepted()).isFalse();
        assertThat(answers.get(0).reason()).contains("is not the one the invitation announced");
        assertThat(text(dbB, "SELECT count(*) FROM app_key")).isEqualTo("0");
        assertThat(text(dbB, "SELECT enrollment FROM app")).isEqualTo("pending");
        assertThat(text(dbA, "SELECT status || ': ' || reason FROM control_message WHERE direction = 'out'"))
                .startsWith("dead: ")
                .contains("not the one the invitation announced");
    }

    @Test
    void anUnsignedOrReplayedAnswerIsRefused() throws Exception {
        Invitation invitation =
                a.invite("city-monitor", Duration.ofHours(1), "alice").invitation();
        b.join(invitation, "data-holder", "bob");
        send(b, B);
        ControlMessages.Outgoing accept = a.claim(10, 60, 5).get(0);
        Message unsigned = ControlCodec.stanza(B, A, "unsigned-1", accept.type(), accept.payload());
        unsigned.setFrom(JidCreate.from(A + "/x"));
        assertThat(b.receive(ControlCodec.decode(unsigned)).reason()).contains("not a signed control message");
        Message signed = ControlCodec.stanza(
                B, A, "replay-" + accept.messageId(), accept.type(), a.wirePayload(accept, Clock.systemUTC()));
        signed.setFrom(JidCreate.from(A + "/x"));
        // signed for another message id: refused
        assertThat(b.receive(ControlCodec.decode(signed)).reason()).contains("is not the message's");
        // signed long ago: refused
        Message old = ControlCodec.stanza(
                B,
                A,
                "old-" + accept.messageId(),
                accept.type(),
                a.wirePayload(
                        new ControlMessages.Outgoing(B, "old-" + accept.messageId(), accept.type(), accept.payload()),
                        Clock.fixed(Instant.now().minusSeconds(3600), ZoneOffset.UTC)));
        old.setFrom(JidCreate.from(A + "/x"));
        assertThat(b.receive(ControlCodec.decode(old)).reason()).contains("outside the accepted window");
        Message good =
                ControlCodec.stanza(B, A, accept.messageId(), accept.type(), a.wirePayload(accept, Clock.systemUTC()));
        good.setFrom(JidCreate.from(A + "/x"));
        assertThat(b.receive(ControlCodec.decode(good)).accepted()).isTrue();
        // a message id refused once stays refused: received again, it is answered as the first time
        assertThat(b.receive(ControlCodec.decode(unsigned)).reason()).contains("not a signed control message");
        // the same answer under a new id, once enrolled: nothing pending any more
        Message again = ControlCodec.stanza(
                B,
                A,
                "again",
                accept.type(),
                a.wirePayload(
                        new ControlMessages.Outgoing(B, "again", accept.type(), accept.payload()), Clock.systemUTC()));
        again.setFrom(JidCreate.from(A + "/x"));
        assertThat(b.receive(ControlCodec.decode(again)).reason()).contains("no enrollment with");
        assertThat(text(dbB, "SELECT count(*) FROM app_key")).isEqualTo("1");
    }
}
