package org.senproxy.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import ch.qos.logback.classic.Level;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import org.apache.camel.component.mock.MockEndpoint;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;
import org.senproxy.testing.LogCapture;
import org.senproxy.testing.RouteHarness;

/** routes/federation-inbound.camel.yaml with its error configuration: verify, store once, ack, deliver. */
class FederationInboundRouteTest {

    private static final String PEER = "proxy-b@localhost";
    private static final String ME = RouteHarness.OWN_JID;
    private static final String RECORD = "[{\"n\":\"urn:dev:x:1_power\",\"u\":\"W\",\"t\":1700000000.25,\"v\":7.5}]";

    private RouteHarness harness;

    @BeforeEach
    void start() throws Exception {
        harness = RouteHarness.forInbound(Map.of());
        harness.sql("INSERT INTO app (name, jid) VALUES ('b', '" + PEER + "')");
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private StandardExtensionElement ackOf(int index) {
        Message ack = harness.sentOverXmpp(index);
        return (StandardExtensionElement) ack.getExtension("ack", "urn:senproxy:0");
    }

    @Test
    void storesAcknowledgesAndDeliversAMessage() throws Exception {
        String id = UUID.randomUUID().toString();
        MockEndpoint sink = harness.mock("sink");
        sink.expectedMessageCount(1);

        harness.receive(Stanzas.data(PEER, ME, id, RECORD));

        sink.assertIsSatisfied();
        List<?> records = sink.getExchanges().get(0).getIn().getBody(List.class);
        assertThat(records).hasSize(1);
        assertThat(records.get(0).toString())
                .contains("name=urn:dev:x:1_power")
                .contains("value=7.5")
                .contains("unit=W")
                .contains("2023-11-14T22:13:20.250Z")
                .contains("message_id=" + id);
        assertThat(harness.text("SELECT status || ' ' || sender_jid || ' ' || correlation_id FROM inbox"))
                .isEqualTo("delivered " + PEER + " corr-" + id);
        assertThat(ackOf(0).getAttributeValue("id")).isEqualTo(id);
        assertThat(ackOf(0).getAttributeValue("status")).isEqualTo("accepted");
        assertThat(harness.sentOverXmpp(0).getTo().toString())
                .as("to the sender's replica that sent it, not to every replica of the sender")
                .isEqualTo(PEER + "/sen-proxy");
    }

    @Test
    void aMessageWhoseAckCannotBeSentIsDeliveredAllTheSame() throws Exception {
        harness.link.online(false); // the session dropped between the message and its ack
        MockEndpoint sink = harness.mock("sink");
        sink.expectedMessageCount(1);

        harness.receive(Stanzas.data(PEER, ME, RECORD));

        sink.assertIsSatisfied();
        assertThat(harness.text("SELECT status FROM inbox")).isEqualTo("delivered");
        assertThat(harness.mock("xmpp").getReceivedCounter())
                .as("no ack went out")
                .isZero();
    }

    @Test
    void aResentMessageIsStoredOnceAndAcknowledgedAgain() throws Exception {
        Message stanza = Stanzas.data(PEER, ME, RECORD);
        harness.receive(stanza);
        harness.receive(stanza);
        assertThat(harness.count("SELECT count(*) FROM inbox")).isOne();
        assertThat(harness.mock("sink").getReceivedCounter()).isOne();
        assertThat(harness.mock("xmpp").getReceivedCounter()).isEqualTo(2);
        assertThat(ackOf(1).getAttributeValue("status")).isEqualTo("accepted");
    }

    /**
     * The review's attack: with senproxy.signing.required=false (this harness), an app whose keys have all expired
     * sent unsigned, and was accepted. An app that ever had a key must sign.
     */
    @Test
    void anAppWhoseKeysAllExpiredMustStillSignWhenSigningIsNotRequired() throws Exception {
        harness.sql("INSERT INTO app_key (app_id, kid, jwk, valid_from, valid_until) SELECT id, 'b-1',"
                + " '"
                + new ECKeyGenerator(Curve.P_256)
                        .keyID("b-1")
                        .generate()
                        .toPublicJWK()
                        .toJSONString() + "',"
                + " now() - interval '2 days', now() - interval '1 day' FROM app WHERE name = 'b'");

        harness.receive(Stanzas.data(PEER, ME, UUID.randomUUID().toString(), RECORD));

        assertThat(harness.count("SELECT count(*) FROM inbox")).isZero();
        assertThat(harness.text("SELECT reason FROM dead_letter"))
                .contains("no key of " + PEER + " is valid now")
                .contains("an app that had a key must sign");
        assertThat(ackOf(0).getAttributeValue("status")).isEqualTo("rejected");
    }

    @Test
    void malformedSenmlIsADeadLetterAndTheSenderIsTold() throws Exception {
        String id = UUID.randomUUID().toString();
        harness.receive(Stanzas.data(PEER, ME, id, "[{\"n\":\"urn:dev:x:1_power\",\"v\":1,\"vb\":true}]"));

        assertThat(harness.count("SELECT count(*) FROM inbox")).isZero();
        assertThat(harness.text(
                        "SELECT origin || ' | ' || route_id || ' | ' || peer_jid || ' | ' || reason FROM dead_letter"))
                .startsWith("inbound | federation-inbound | " + PEER + " | invalid SenML: record 0");
        assertThat(harness.text("SELECT payload FROM dead_letter")).contains("<quoalise");
        assertThat(ackOf(0).getAttributeValue("status")).isEqualTo("rejected");
        assertThat(ackOf(0).getAttributeValue("reason")).startsWith("invalid SenML: record 0");
        assertThat(harness.sentOverXmpp(0).getTo().toString()).isEqualTo(PEER + "/sen-proxy");
        // the next message goes through
        harness.receive(Stanzas.data(PEER, ME, RECORD));
        assertThat(harness.count("SELECT count(*) FROM inbox WHERE status = 'delivered'"))
                .isOne();
    }

    @Test
    void aMessageFromAnUnknownSenderIsADeadLetterAndUnanswered() throws Exception {
        harness.receive(Stanzas.data("stranger@localhost", ME, RECORD));
        assertThat(harness.count("SELECT count(*) FROM inbox")).isZero();
        assertThat(harness.text("SELECT reason FROM dead_letter"))
                .isEqualTo("unknown sender stranger@localhost: not a registered app");
        assertThat(harness.mock("xmpp").getReceivedCounter()).isZero();
    }

    @Test
    void aSenderClaimingAnotherIdentityIsRefused() throws Exception {
        Message forged = Stanzas.data(PEER, ME, RECORD);
        forged.setFrom(JidCreate.from("mallory@localhost/x"));
        harness.receive(forged);
        assertThat(harness.count("SELECT count(*) FROM inbox")).isZero();
        assertThat(harness.text("SELECT reason FROM dead_letter"))
                .isEqualTo("envelope sender 'proxy-b@localhost' is not the authenticated address mallory@localhost");
    }

    @Test
    void aStanzaThatIsNotOursIsADeadLetter() throws Exception {
        Message chat = new Message(JidCreate.from(ME), "hello, are you a bot?");
        chat.setFrom(JidCreate.from(PEER + "/phone"));
        harness.receive(chat);
        assertThat(harness.text("SELECT reason FROM dead_letter")).startsWith("not a sen-proxy data message");
    }

    @Test
    void anUnknownFormatVersionIsRefusedWithAClearReason() throws Exception {
        Message stanza = Stanzas.data(PEER, ME, RECORD);
        StandardExtensionElement envelope =
                (StandardExtensionElement) stanza.getExtension("envelope", "urn:senproxy:0");
        stanza.removeExtension(envelope);
        stanza.addExtension(StandardExtensionElement.builder("envelope", "urn:senproxy:0")
                .addAttribute("version", "9")
                .addAttribute("id", "m-9")
                .addAttribute("sender", PEER)
                .build());
        harness.receive(stanza);
        assertThat(harness.text("SELECT reason FROM dead_letter"))
                .isEqualTo("unsupported format version '9' (this proxy reads 1 and 2)");
        assertThat(ackOf(0).getAttributeValue("status")).isEqualTo("rejected");
    }

    @Test
    void thePreviousFormatVersionIsReadAndItsSenderWarnedOnce() throws Exception {
        try (LogCapture log = new LogCapture("org.senproxy.federation.FederationCodec")) {
            for (int i = 0; i < 2; i++) {
                Message stanza = Stanzas.data(PEER, ME, RECORD);
                StandardExtensionElement envelope =
                        (StandardExtensionElement) stanza.getExtension("envelope", "urn:senproxy:0");
                stanza.removeExtension(envelope);
                stanza.addExtension(StandardExtensionElement.builder("envelope", "urn:senproxy:0")
                        .addAttribute("version", "1")
                        .addAttribute("id", stanza.getStanzaId())
                        .addAttribute("sender", PEER)
                        .addAttribute("consent", "ignored-in-version-1")
                        .build());
                harness.receive(stanza);
            }
            assertThat(harness.text("SELECT string_agg(format_version::text, ',') FROM inbox"))
                    .isEqualTo("1,1");
            assertThat(log.messages(Level.WARN))
                    .isEqualTo(PEER + " sends format version 1, which is deprecated: this"
                            + " proxy writes 2 and will stop reading 1 in a later release; upgrade that proxy");
        }
    }

    @Test
    void acksAreHandedToTheOutbox() throws Exception {
        harness.sql("INSERT INTO consumer (source, app_id) SELECT 'test', id FROM app");
        String id = UUID.randomUUID().toString();
        harness.sql("INSERT INTO outbox (message_id, correlation_id, consumer_id, recipient_jid, payload, record_count,"
                + " status) SELECT '" + id + "', 'c', id, '" + PEER + "', '[]', 0, 'sent' FROM consumer");
        harness.receive(Stanzas.accepted(PEER, ME, id));
        assertThat(harness.text("SELECT status FROM outbox")).isEqualTo("acked");
    }

    // ---- signatures (MessageSignatures, Signatures)

    private static ECKey key(String kid) throws Exception {
        return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
    }

    private void register(ECKey key) throws Exception {
        harness.sql("INSERT INTO app_key (app_id, kid, jwk) SELECT id, '" + key.getKeyID() + "', '"
                + key.toPublicJWK().toJSONString() + "' FROM app WHERE jid = '" + PEER + "'");
    }

    @Test
    void aSignedMessageFromAnAppWithAKeyIsAccepted() throws Exception {
        ECKey key = key("k1");
        register(key);
        String id = UUID.randomUUID().toString();
        harness.receive(Stanzas.signed(PEER, ME, id, RECORD, key, Instant.now()));
        assertThat(harness.count("SELECT count(*) FROM inbox")).isOne();
        assertThat(ackOf(0).getAttributeValue("status")).isEqualTo("accepted");
    }

    @Test
    void anAppWithAKeyMustSignAndWithTheRightKey() throws Exception {
        ECKey key = key("k1");
        register(key);
        harness.receive(Stanzas.data(PEER, ME, RECORD)); // unsigned
        harness.receive(Stanzas.signed(
                PEER, ME, UUID.randomUUID().toString(), RECORD, key("k1"), Instant.now())); // another key, same kid
        harness.receive(Stanzas.signed(
                PEER, ME, UUID.randomUUID().toString(), RECORD, key("k2"), Instant.now())); // unknown kid
        harness.receive(Stanzas.signed(
                PEER,
                ME,
                UUID.randomUUID().toString(),
                RECORD,
                key,
                Instant.now().minusSeconds(3600))); // signed an hour ago: a replay

        assertThat(harness.count("SELECT count(*) FROM inbox")).isZero();
        assertThat(harness.text("SELECT string_agg(reason, ' | ' ORDER BY id) FROM dead_letter"))
                .contains("no signature, and " + PEER + " has registered keys")
                .contains("bad signature (key k1)")
                .contains("signature key 'k2' is not a valid key of " + PEER)
                .contains("outside the accepted window");
        for (int i = 0; i < 4; i++) {
            assertThat(ackOf(i).getAttributeValue("status")).as("ack %d", i).isEqualTo("rejected");
        }
    }

    @Test
    void anEndedKeyNoLongerCounts() throws Exception {
        ECKey key = key("old");
        register(key);
        harness.sql("UPDATE app_key SET valid_until = now() - interval '1 minute'");
        harness.receive(Stanzas.signed(PEER, ME, UUID.randomUUID().toString(), RECORD, key, Instant.now()));
        // no valid key left: a message signed by the ended key is refused (an app that had a key must sign with a
        // valid one; it used to be let through unchecked)
        assertThat(harness.count("SELECT count(*) FROM inbox")).isZero();
        assertThat(harness.text("SELECT reason FROM dead_letter")).contains("no key of " + PEER + " is valid now");
    }
}
