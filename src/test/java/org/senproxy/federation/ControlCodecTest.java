package org.senproxy.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.jivesoftware.smack.util.PacketParserUtils;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;

/** The control wire format, version 1: what is written reads back; what this proxy cannot read is refused, saying why. */
class ControlCodecTest {

    private static final String A = "proxy-a@example.org";
    private static final String B = "proxy-b@example.org";

    private static Message received(Message stanza, String from) throws Exception {
        Message parsed =
                (Message) PacketParserUtils.parseStanza(stanza.toXML(null).toString());
        parsed.setFrom(JidCreate.from(from + "/res"));
        return parsed;
    }

    private static Message control(Map<String, String> attributes, String payload) throws Exception {
        Message message = new Message(JidCreate.from(A), Message.Type.chat);
        message.setBody("x");
        StandardExtensionElement.Builder element = StandardExtensionElement.builder("control", ControlCodec.NAMESPACE);
        attributes.forEach(element::addAttribute);
        if (payload != null) {
            element.setText(payload);
        }
        message.addExtension(element.build());
        return message;
    }

    @Test
    void aControlMessageAndItsAckReadBackAsWritten() throws Exception {
        Message stanza = received(ControlCodec.stanza(A, B, "m1", ControlCodec.ENROLL_REQUEST, "{\"a\":1}"), B);
        assertThat(stanza.toXML(null).toString())
                .contains("<control xmlns='urn:senproxy:control:0' version='1' id='m1' type='enroll-request'");
        assertThat(ControlCodec.isControl(stanza)).isTrue();
        assertThat(ControlCodec.decode(stanza))
                .isEqualTo(new ControlCodec.Received(B, "m1", ControlCodec.ENROLL_REQUEST, "{\"a\":1}"));
        Message ack = received(ControlCodec.ack(B, "m1", false, "no"), A);
        assertThat(ControlCodec.isControlAck(ack)).isTrue();
        assertThat(ControlCodec.isControl(ack)).isFalse();
        assertThat(ControlCodec.decodeAck(ack)).isEqualTo(new ControlCodec.ControlAck(A, "m1", false, "no"));
    }

    @Test
    void whatThisProxyCannotReadIsRefusedSayingWhy() throws Exception {
        Map<String, String> good = Map.of("version", "1", "id", "m1", "type", "enroll-request", "sender", B);
        assertThatThrownBy(() -> ControlCodec.decode(received(
                        control(Map.of("version", "2", "id", "m1", "type", "enroll-request", "sender", B), "{}"), B)))
                .hasMessageContaining("version 2: this proxy reads version 1");
        assertThatThrownBy(() -> ControlCodec.decode(received(control(good, "{}"), "proxy-c@example.org")))
                .hasMessageContaining("is not the authenticated address proxy-c@example.org");
        assertThatThrownBy(() -> ControlCodec.decode(received(
                        control(Map.of("version", "1", "id", "m1", "type", "key-revoked", "sender", B), "{}"), B)))
                .hasMessageContaining("control type 'key-revoked' unknown");
        assertThatThrownBy(() -> ControlCodec.decode(received(control(good, null), B)))
                .hasMessageContaining("without a payload");
        assertThatThrownBy(() -> ControlCodec.decode(
                        received(control(Map.of("version", "1", "type", "enroll-request", "sender", B), "{}"), B)))
                .hasMessageContaining("without a valid id");
    }

    @Test
    void aSignedPayloadIsCheckedWholly() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).keyID("a-1").generate();
        ECKey other = new ECKeyGenerator(Curve.P_256).keyID("a-1").generate();
        Instant now = Instant.now();
        String jws =
                ControlCodec.sign(key, A, B, "m1", ControlCodec.ENROLL_ACCEPT, Map.of("x", "y"), Clock.systemUTC());
        ControlCodec.Received message = new ControlCodec.Received(A, "m1", ControlCodec.ENROLL_ACCEPT, jws);
        Duration age = Duration.ofMinutes(10);
        assertThat(ControlCodec.verify(message, B, key.toPublicJWK(), now, age)).containsEntry("x", "y");
        assertThatThrownBy(() -> ControlCodec.verify(message, B, other.toPublicJWK(), now, age))
                .hasMessageContaining("bad signature");
        assertThatThrownBy(() -> ControlCodec.verify(message, "proxy-c@example.org", key.toPublicJWK(), now, age))
                .hasMessageContaining("audience");
        assertThatThrownBy(() -> ControlCodec.verify(
                        new ControlCodec.Received("proxy-c@example.org", "m1", ControlCodec.ENROLL_ACCEPT, jws),
                        B,
                        key.toPublicJWK(),
                        now,
                        age))
                .hasMessageContaining("issuer");
        assertThatThrownBy(() -> ControlCodec.verify(message, B, key.toPublicJWK(), now.plusSeconds(3600), age))
                .hasMessageContaining("outside the accepted window");
        assertThatThrownBy(() -> ControlCodec.verify(
                        new ControlCodec.Received(A, "m1", ControlCodec.ENROLL_ACCEPT, "{\"x\":1}"),
                        B,
                        key.toPublicJWK(),
                        now,
                        age))
                .hasMessageContaining("unsigned control messages are refused");
    }
}
