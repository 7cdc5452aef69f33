package org.senproxy.testing;

import java.io.StringReader;
import java.io.StringWriter;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;

import org.jivesoftware.smack.packet.Message;
import org.senproxy.senml.Measurement;
import org.senproxy.senml.Senml;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * Reads a message as an XMPP client would: the stanza's XML, its {@code <quoalise xmlns="urn:quoalise:0"><data>}
 * element, and the SenML pack in it, resolved by RFC 8428's rules.
 */
public final class QuoaliseData {

    private QuoaliseData() {}

    /** The resolved SenML records of the message's Quoalise data element; {@code now} for records without a time. */
    public static List<Measurement> senml(Message message, double now) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        Document stanza = factory.newDocumentBuilder()
                .parse(new InputSource(new StringReader(message.toXML(null).toString())));
        NodeList data = stanza.getElementsByTagNameNS("urn:quoalise:0", "data");
        if (data.getLength() != 1) {
            throw new AssertionError("not one <data xmlns='urn:quoalise:0'> in " + message.toXML(null));
        }
        NodeList sensml = ((Element) data.item(0)).getElementsByTagNameNS(Senml.XML_NAMESPACE, "sensml");
        StringWriter xml = new StringWriter();
        TransformerFactory.newInstance()
                .newTransformer()
                .transform(new DOMSource(sensml.item(0)), new StreamResult(xml));
        return Senml.resolve(Senml.parseXml(xml.toString()), now);
    }
}
