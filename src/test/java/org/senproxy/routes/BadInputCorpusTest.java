package org.senproxy.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;
import org.postgresql.ds.PGSimpleDataSource;
import org.senproxy.audit.AuditTrail;
import org.senproxy.testing.Consented;
import org.senproxy.testing.RouteHarness;
import org.senproxy.testing.TestPostgres;

/**
 * The bad-input corpus of the trust issue, through federation-inbound as a peer's stanza reaches it, on a receiver that
 * requires signatures and consents. Each input must be refused with a clear reason: kept as a dead letter, told to the
 * sender when the sender is a registered app, recorded in the audit trail, and nothing stored. A good message after
 * all of them is still stored and delivered, and the audit chain is intact. The printed table is the corpus.
 */
class BadInputCorpusTest {

    private static final String PEER = "proxy-b@localhost";
    private static final String ME = RouteHarness.OWN_JID;
    private static final String GOOD = "[{\"n\":\"urn:dev:x:1_power\",\"u\":\"W\",\"t\":1700000000.25,\"v\":7.5}]";

    private RouteHarness harness;
    private ECKey key;

    @BeforeEach
    void start() throws Exception {
        harness = RouteHarness.forInbound(Map.of(
                "senproxy.consent.required",
                "true",
                "senproxy.signing.required",
                "true",
                "senproxy.inbound.max-data-chars",
                "16384"));
        key = new ECKeyGenerator(Curve.P_256).keyID("b-1").generate();
        harness.sql("INSERT INTO app (name, jid) VALUES ('b', '" + PEER + "'), ('c', 'proxy-c@localhost')");
        harness.sql("INSERT INTO app_key (app_id, kid, jwk) SELECT id, 'b-1', '"
                + key.toPublicJWK().toJSONString() + "' FROM app WHERE name = 'b'");
        harness.sql(Consented.receiver("b", "urn:dev:x:1_*", Consented.REF));
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private record Case(String name, Message stanza, String reason, boolean answered) {}

    /** A well-formed signed message under the held consent, whose data element is then replaced by {@code xml}. */
    private Message withData(String xml) throws Exception {
        Message m = signed(GOOD, Instant.now());
        m.removeExtension("quoalise", "urn:quoalise:0");
        m.addExtension(new ExtensionElement() {
            @Override
            public String getElementName() {
                return "quoalise";
            }

            @Override
            public String getNamespace() {
                return "urn:quoalise:0";
            }

            @Override
            public CharSequence toXML(String enclosingNamespace) {
                return xml;
            }
        });
        return m;
    }

    private Message signed(String senml, Instant at) throws Exception {
        return Stanzas.signedUnderConsent(PEER, ME, UUID.randomUUID().toString(), senml, key, at, Consented.REF);
    }

    private static String sensml(String record) {
        return "<quoalise xmlns=\"urn:quoalise:0\"><data><meta/><sensml xmlns=\"urn:ietf:params:xml:ns:senml\">"
                + record + "</sensml></data></quoalise>";
    }

    private List<Case> corpus() throws Exception {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case(
                "malformed SenML (a value that is not a number)",
                withData(sensml("<senml n=\"urn:dev:x:1_power\" v=\"lots\"/>")),
                "invalid SenML",
                true));
        cases.add(new Case(
                "XML with a DOCTYPE (entity expansion)",
                withData("<!DOCTYPE q [<!ENTITY a \"aaaaaaaaaa\">" + "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
                        + sensml("<senml n=\"urn:dev:x:1_&b;\" v=\"1\"/>")),
                "not well-formed XML",
                true));
        cases.add(new Case(
                "XML with an external entity reference",
                withData(sensml("<senml n=\"urn:dev:x:1_&xxe;\" v=\"1\"/>")),
                "not well-formed XML",
                true));
        StringBuilder big = new StringBuilder("[");
        for (int i = 0; i < 400; i++) {
            big.append(i == 0 ? "" : ",")
                    .append("{\"n\":\"urn:dev:x:1_power\",\"u\":\"W\",\"t\":")
                    .append(1700000000 + i)
                    .append(",\"v\":")
                    .append(i)
                    .append('}');
        }
        cases.add(new Case(
                "a data element over the size limit (16 KiB here)",
                signed(big + "]", Instant.now()),
                "over this proxy's limit of 16384",
                true));
        cases.add(new Case(
                "a 10,000-digit number",
                withData(sensml("<senml n=\"urn:dev:x:1_power\" v=\"" + "9".repeat(10_000) + "\"/>")),
                "invalid SenML",
                true));
        cases.add(new Case(
                "deep nesting in the data element",
                withData("<quoalise xmlns=\"urn:quoalise:0\"><data>" + "<x>".repeat(500) + "</x>".repeat(500)
                        + "</data></quoalise>"),
                "no <sensml> element",
                true));
        Message unsigned = Stanzas.underConsent(PEER, ME, UUID.randomUUID().toString(), GOOD, Consented.REF);
        cases.add(new Case("a missing signature", unsigned, "no signature", true));
        Message tampered = signed(GOOD, Instant.now());
        tampered.removeExtension("quoalise", "urn:quoalise:0");
        tampered.addExtension(
                signed(GOOD.replace("7.5", "75"), Instant.now()).getExtension("quoalise", "urn:quoalise:0"));
        cases.add(new Case(
                "a tampered message (value changed after signing)",
                tampered,
                "the records do not match the signed digest",
                true));
        ECKey mallory = new ECKeyGenerator(Curve.P_256).keyID("b-1").generate();
        cases.add(new Case(
                "a signature by the wrong key (same kid)",
                Stanzas.signedUnderConsent(
                        PEER, ME, UUID.randomUUID().toString(), GOOD, mallory, Instant.now(), Consented.REF),
                "bad signature",
                true));
        cases.add(new Case(
                "a replayed message (signed an hour ago)",
                signed(GOOD, Instant.now().minusSeconds(3600)),
                "outside the accepted window",
                true));
        cases.add(new Case(
                "a message from an unknown JID",
                Stanzas.underConsent("stranger@localhost", ME, UUID.randomUUID().toString(), GOOD, Consented.REF),
                "unknown sender stranger@localhost",
                false));
        Message claiming = signed(GOOD, Instant.now());
        claiming.setFrom(JidCreate.from("proxy-c@localhost/sen-proxy"));
        cases.add(new Case(
                "a JID claiming another's identity (c sends b's envelope)",
                claiming,
                "envelope sender 'proxy-b@localhost' is not the authenticated address proxy-c@localhost",
                false));
        cases.add(new Case(
                "data under a consent this proxy holds no subscription for",
                Stanzas.signedUnderConsent(
                        PEER,
                        ME,
                        UUID.randomUUID().toString(),
                        GOOD,
                        key,
                        Instant.now(),
                        UUID.randomUUID().toString()),
                "no active subscription",
                true));
        cases.add(new Case(
                "a series outside the consent's scope",
                signed(GOOD.replace("x:1_", "x:2_"), Instant.now()),
                "outside the scope of consent",
                true));
        return cases;
    }

    @Test
    void everyBadInputIsRefusedWithItsReasonAuditedAndNothingElseIsAffected() throws Exception {
        List<Case> cases = corpus();
        System.out.println("Bad-input corpus (federation-inbound, signatures and consents required):");
        for (Case c : cases) {
            int answersBefore = harness.mock("xmpp").getReceivedCounter();
            harness.receive(c.stanza());
            String id = c.stanza().getStanzaId();

            String reason = harness.text("SELECT reason FROM dead_letter WHERE message_id = '" + id + "'");
            System.out.printf("  %-58s -> %s%n", c.name(), reason);
            assertThat(reason).as(c.name()).contains(c.reason());
            assertThat(harness.text("SELECT detail FROM audit_log WHERE kind = 'transfer.refused'"
                            + " AND detail LIKE '%" + id + "%'"))
                    .as(c.name() + " audited")
                    .contains(c.reason());
            assertThat(harness.mock("xmpp").getReceivedCounter() - answersBefore)
                    .as(c.name() + " answered")
                    .isEqualTo(c.answered() ? 1 : 0);
            if (c.answered()) {
                Message answer = harness.sentOverXmpp(answersBefore);
                StandardExtensionElement ack = (StandardExtensionElement) answer.getExtension("ack", "urn:senproxy:0");
                assertThat(ack.getAttributeValue("status")).isEqualTo("rejected");
                assertThat(ack.getAttributeValue("reason")).contains(c.reason());
            }
        }
        assertThat(harness.count("SELECT count(*) FROM inbox")).isZero();

        harness.mock("sink").expectedMessageCount(1);
        Message good = signed(GOOD, Instant.now());
        harness.receive(good);
        harness.mock("sink").assertIsSatisfied();
        assertThat(harness.text("SELECT status FROM inbox")).isEqualTo("delivered");

        PGSimpleDataSource db = TestPostgres.dataSource(harness.database);
        AuditTrail.Verification v = new AuditTrail(db, Clock.systemUTC()).verify();
        assertThat(v.intact()).isTrue();
        assertThat(v.rows()).isEqualTo(cases.size() + 1);
    }
}
