package org.senproxy.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;

import org.apache.camel.component.mock.MockEndpoint;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.senproxy.testing.Consented;
import org.senproxy.testing.RouteHarness;

/**
 * The receiving side under consents: federation-inbound accepts data only under a consent this proxy subscribed to,
 * from the app that holds it, for series in its scope. Anything else is refused with the reason, kept as a dead
 * letter, told to the sender and audited; nothing reaches the inbox.
 */
class ConsentedReceivingRouteTest {

    private static final String PEER = "proxy-b@localhost";
    private static final String OTHER = "proxy-c@localhost";
    private static final String ME = RouteHarness.OWN_JID;
    private static final String RECORD = "[{\"n\":\"urn:dev:x:1_power\",\"u\":\"W\",\"t\":1700000000.25,\"v\":7.5}]";
    private static final String OUT_OF_SCOPE = "[{\"n\":\"urn:dev:x:1_power\",\"u\":\"W\",\"t\":1700000000,\"v\":1},"
            + "{\"n\":\"urn:dev:y:9_power\",\"u\":\"W\",\"t\":1700000000,\"v\":2}]";

    private RouteHarness harness;

    @BeforeEach
    void start() throws Exception {
        harness = RouteHarness.forInbound(Map.of("senproxy.consent.required", "true"));
        harness.sql("INSERT INTO app (name, jid) VALUES ('b', '" + PEER + "'), ('c', '" + OTHER + "')");
        harness.sql(Consented.receiver("b", "urn:dev:x:1_*", Consented.REF));
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private String answer() {
        Message ack = harness.sentOverXmpp(0);
        StandardExtensionElement e = (StandardExtensionElement) ack.getExtension("ack", "urn:senproxy:0");
        return e.getAttributeValue("status") + ": " + e.getAttributeValue("reason");
    }

    @Test
    void dataUnderAHeldConsentIsStoredDeliveredAndAudited() throws Exception {
        String id = UUID.randomUUID().toString();
        MockEndpoint sink = harness.mock("sink");
        sink.expectedMessageCount(1);

        harness.receive(Stanzas.underConsent(PEER, ME, id, RECORD, Consented.REF));

        sink.assertIsSatisfied();
        assertThat(answer()).startsWith("accepted");
        assertThat(harness.text("SELECT kind || ' ' || actor || ' ' || consent_ref || ' ' || detail FROM audit_log"))
                .startsWith("transfer.received " + PEER + " " + Consented.REF)
                .contains("\"message\":\"" + id + "\"")
                .contains("urn:dev:x:1_power")
                .contains("senml_sha256");
    }

    @Test
    void dataNamingNoConsentIsRefused() throws Exception {
        refused(Stanzas.data(PEER, ME, UUID.randomUUID().toString(), RECORD), "no consent named");
    }

    @Test
    void dataUnderAConsentThisProxyDoesNotHoldIsRefused() throws Exception {
        String unknown = UUID.randomUUID().toString();
        refused(
                Stanzas.underConsent(PEER, ME, UUID.randomUUID().toString(), RECORD, unknown),
                "no active subscription of this proxy under consent " + unknown + " from " + PEER);
    }

    @Test
    void anotherAppNamingSomeoneElsesConsentIsRefused() throws Exception {
        refused(
                Stanzas.underConsent(OTHER, ME, UUID.randomUUID().toString(), RECORD, Consented.REF),
                "no active subscription of this proxy under consent " + Consented.REF + " from " + OTHER);
    }

    @Test
    void aSeriesOutsideTheSubscriptionsScopeIsRefusedWithTheWholeMessage() throws Exception {
        refused(
                Stanzas.underConsent(PEER, ME, UUID.randomUUID().toString(), OUT_OF_SCOPE, Consented.REF),
                "series urn:dev:y:9_power is outside the scope of consent " + Consented.REF);
    }

    @Test
    void anEndedSubscriptionRefusesWhatFollows() throws Exception {
        harness.sql("UPDATE subscription SET active = false, ended_at = now()");
        refused(
                Stanzas.underConsent(PEER, ME, UUID.randomUUID().toString(), RECORD, Consented.REF),
                "no active subscription");
    }

    private void refused(Message stanza, String reason) throws Exception {
        harness.receive(stanza);

        assertThat(harness.count("SELECT count(*) FROM inbox")).isZero();
        assertThat(harness.text("SELECT reason FROM dead_letter WHERE origin = 'inbound'"))
                .contains(reason);
        assertThat(answer()).startsWith("rejected: ").contains(reason);
        assertThat(harness.text("SELECT kind || ' ' || detail FROM audit_log"))
                .startsWith("transfer.refused")
                .contains(reason)
                .contains(stanza.getStanzaId());
    }
}
