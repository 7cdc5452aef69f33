package org.senproxy.federation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.List;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.util.PacketParserUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;
import org.senproxy.outbox.OutboxMessage;
import org.senproxy.senml.Measurement;

/**
 * QuoaliseDataProvider: a data element that Smack's own parser read from the wire reaches decode as the XML it was
 * sent as, and decode reads its records from it.
 */
class QuoaliseDataProviderTest {

    private static final String SENML = "[{\"bn\":\"urn:dev:prm:1_\",\"bt\":1700000000,\"n\":\"power\",\"u\":\"W\","
            + "\"v\":1268.5},{\"n\":\"tariff\",\"vs\":\"HP & <HC>\",\"t\":60}]";

    @BeforeAll
    static void register() {
        QuoaliseDataProvider.register();
    }

    @Test
    void aParsedDataElementIsTheXmlSentAndDecodesToItsRecords() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).keyID("a-1").generate();
        Message sent = new FederationCodec("proxy-a@localhost", key, Clock.systemUTC())
                .toStanza(new OutboxMessage(1, "m1", "c1", "proxy-b@localhost", SENML, 2, 0, null));
        sent.setFrom(JidCreate.from("proxy-a@localhost/sen-proxy"));
        String sentData = sent.getExtension("quoalise", FederationCodec.QUOALISE_NAMESPACE)
                .toXML(null)
                .toString();

        Message received =
                (Message) PacketParserUtils.parseStanza(sent.toXML(null).toString());

        ExtensionElement data = received.getExtension("quoalise", FederationCodec.QUOALISE_NAMESPACE);
        assertThat(data).isInstanceOf(XmlExtension.class);
        assertThat(data.toXML(null).toString()).isEqualTo(sentData);
        FederationMessage message = new FederationCodec("proxy-b@localhost")
                .decode(received, new DefaultExchange(new DefaultCamelContext()));
        List<Measurement> records = message.records();
        assertThat(records)
                .extracting(Measurement::name)
                .containsExactly("urn:dev:prm:1_power", "urn:dev:prm:1_tariff");
        assertThat(records.get(0).value()).isEqualTo(1268.5);
        assertThat(records.get(1).stringValue()).isEqualTo("HP & <HC>");
        assertThat(records.get(1).instant().getEpochSecond()).isEqualTo(1_700_000_060L);
        assertThat(message.signature()).isNotBlank();
    }

    @Test
    void textInsideTheElementStaysEscaped() throws Exception {
        String stanza = "<message xmlns='jabber:client' from='proxy-a@localhost/sen-proxy' to='proxy-b@localhost'"
                + " id='m2' type='chat'><envelope xmlns='urn:senproxy:0' version='2' id='m2'"
                + " sender='proxy-a@localhost' correlation='m2' records='1'/><quoalise xmlns='urn:quoalise:0'><data>"
                + "<meta>a &amp; b &lt;c&gt;</meta><sensml xmlns='urn:ietf:params:xml:ns:senml'>"
                + "<senml n='urn:dev:prm:1_power' t='1700000000' v='1'/></sensml></data></quoalise></message>";

        Message received = (Message) PacketParserUtils.parseStanza(stanza);

        assertThat(received.getExtension("quoalise", FederationCodec.QUOALISE_NAMESPACE)
                        .toXML(null)
                        .toString())
                .contains("<meta>a &amp; b &lt;c"); // '>' may stay as it is in XML text
        FederationMessage message = new FederationCodec("proxy-b@localhost")
                .decode(received, new DefaultExchange(new DefaultCamelContext()));
        assertThat(message.records()).extracting(Measurement::name).containsExactly("urn:dev:prm:1_power");
    }
}
