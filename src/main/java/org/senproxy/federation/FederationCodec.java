package org.senproxy.federation;

import java.io.StringReader;
import java.io.StringWriter;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.stream.XMLStreamWriter;

import com.nimbusds.jose.jwk.ECKey;
import org.apache.camel.Exchange;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;
import org.senproxy.catalogue.QuoaliseMeta;
import org.senproxy.catalogue.Series;
import org.senproxy.senml.Measurement;
import org.senproxy.senml.Senml;
import org.senproxy.senml.SenmlException;
import org.senproxy.senml.SenmlRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that writes and reads sen-proxy's federation messages. A data message is an ordinary
 * chat message that other XMPP tools can read:
 *
 * <pre>
 * &lt;message to="proxy-b@example.org" type="chat" id="(message id)"&gt;
 *   &lt;body&gt;sen-proxy: 5 SenML records&lt;/body&gt;
 *   &lt;envelope xmlns="urn:senproxy:0" version="2" id="(message id)" sender="proxy-a@example.org"
 *             correlation="(correlation id)" records="5" consent="(the consent's ref)"
 *             signature="(compact JWS, when the proxy has a key)"/&gt;
 *   &lt;quoalise xmlns="urn:quoalise:0"&gt;&lt;data&gt;&lt;meta&gt;(device, measurement: catalogue.QuoaliseMeta)&lt;/meta&gt;
 *     &lt;sensml xmlns="urn:ietf:params:xml:ns:senml"&gt;&lt;senml n="..." u="W" t="..." v="..."/&gt;...&lt;/sensml&gt;
 *   &lt;/data&gt;&lt;/quoalise&gt;
 * &lt;/message&gt;
 * </pre>
 *
 * The receiver answers each data message with {@code <ack xmlns="urn:senproxy:0" id="..." status="accepted"/>},
 * addressed to the full JID the message came from (the sending replica; every replica of the sender would get an
 * answer to the bare JID, and each would settle it again), once the message is committed to its inbox, or {@code status="rejected" reason="..."} when it never will be, or
 * {@code status="deferred" reason="..."} when it will not take it now (its operator suspended the sender): the sender
 * keeps the message and sends it again later. A proxy from before deferrals reads one as a refusal.
 * Every stanza carries a body because chat clients (and camel-xmpp's consumer) ignore messages without one.
 *
 * <p>Versions: a proxy writes {@link #VERSION} and reads it and the one before, side by side, so that a federation
 * upgrades one proxy at a time. Version 2 added the {@code consent} attribute (and the signed {@code consent} claim);
 * a version 1 message names no consent, and its sender is warned about once, in this proxy's log. A version this
 * proxy does not know (a later one) is refused, saying which versions it reads.
 */
public class FederationCodec {

    private static final Logger LOG = LoggerFactory.getLogger(FederationCodec.class);

    public static final String NAMESPACE = "urn:senproxy:0";
    public static final String QUOALISE_NAMESPACE = "urn:quoalise:0";
    /** The wire format version this proxy writes; it reads this one and {@link #PREVIOUS_VERSION}. */
    public static final int VERSION = 2;
    /** The version before, still read: its messages name no consent. */
    public static final int PREVIOUS_VERSION = 1;

    private static final int MAX_ID_LENGTH = 128;
    private static final XMLOutputFactory XML_OUTPUT = XMLOutputFactory.newFactory();

    /** The default of {@code senproxy.inbound.max-data-chars}. */
    public static final int DEFAULT_MAX_DATA_CHARS = 262_144;

    private final String ownJid;
    private final Supplier<ECKey> signingKey;
    private final Clock clock;
    private final int maxDataChars;
    /** How a series is declared, for the meta element of the data it sends (none known until one is set). */
    private volatile Function<String, Optional<Series>> catalogue = name -> Optional.empty();
    /** The senders already warned that they write the previous version: once each, not at every message. */
    private final Set<String> warnedSenders = ConcurrentHashMap.newKeySet();

    /** A codec that does not sign (tests, and proxies without a key). */
    public FederationCodec(String ownJid) {
        this(ownJid, null, Clock.systemUTC());
    }

    /**
     * @param ownJid     this proxy's bare JID, written as the sender of every message
     * @param signingKey its private key (EC P-256), or {@code null}: messages then go unsigned
     */
    public FederationCodec(String ownJid, ECKey signingKey, Clock clock) {
        this(ownJid, signingKey, clock, DEFAULT_MAX_DATA_CHARS);
    }

    /**
     * @param maxDataChars the largest data element (characters of its XML) a received message may carry; a larger one
     *                     is refused before its SenML is read ({@code senproxy.inbound.max-data-chars})
     */
    public FederationCodec(String ownJid, ECKey signingKey, Clock clock, int maxDataChars) {
        this(ownJid, () -> signingKey, clock, maxDataChars);
    }

    /**
     * @param signingKey the key that signs now (it changes with a rotation: {@link OwnKeys#current()}), null for none
     */
    public FederationCodec(String ownJid, Supplier<ECKey> signingKey, Clock clock, int maxDataChars) {
        this.ownJid = ownJid;
        this.signingKey = signingKey;
        this.clock = clock;
        this.maxDataChars = maxDataChars;
    }

    /**
     * The catalogue that describes the series sent, in each data element's meta (device and measurement), as a
     * Quoalise client reads them.
     */
    public FederationCodec describingSeriesWith(Function<String, Optional<Series>> catalogue) {
        this.catalogue = name -> {
            try {
                return catalogue.apply(name);
            } catch (RuntimeException notReadable) {
                // a catalogue that cannot be read now (connectors still loading): the meta names the series only
                return Optional.empty();
            }
        };
        return this;
    }

    // ---- sending

    /** The data stanza for one outbox row. */
    public Message toStanza(OutgoingMessage row) throws XmppStringprepException {
        List<SenmlRecord> records = Senml.parseJson(row.payload());
        Message message = new Message(JidCreate.from(row.recipientJid()), Message.Type.chat);
        message.setStanzaId(row.messageId());
        message.setBody("sen-proxy: " + records.size() + " SenML records");
        StandardExtensionElement.Builder envelope = StandardExtensionElement.builder("envelope", NAMESPACE)
                .addAttribute("version", Integer.toString(VERSION))
                .addAttribute("id", row.messageId())
                .addAttribute("sender", ownJid)
                .addAttribute("correlation", row.correlationId())
                .addAttribute("records", Integer.toString(records.size()));
        if (row.consentRef() != null) {
            envelope.addAttribute("consent", row.consentRef());
        }
        ECKey key = signingKey.get();
        if (key != null) {
            // the digest written with the row (outbox-append), or, for a row from before it was, the payload's
            String digest = row.recordsDigest();
            if (digest == null) {
                try {
                    digest = MessageSignatures.digest(Senml.resolve(records, 0));
                } catch (SenmlException invalid) {
                    // sent unsigned: the receiver refuses it for its content, and says why
                }
            }
            if (digest != null) {
                envelope.addAttribute(
                        "signature",
                        MessageSignatures.sign(
                                key,
                                ownJid,
                                JidCreate.bareFrom(row.recipientJid()).toString(),
                                row.messageId(),
                                row.consentRef(),
                                digest,
                                clock.instant()));
            }
        }
        message.addExtension(envelope.build());
        message.addExtension(new XmlExtension("quoalise", QUOALISE_NAMESPACE, quoalise(records, catalogue)));
        return message;
    }

    private static String quoalise(List<SenmlRecord> records, Function<String, Optional<Series>> catalogue) {
        StringWriter out = new StringWriter();
        try {
            XMLStreamWriter w = XML_OUTPUT.createXMLStreamWriter(out);
            w.writeStartElement("quoalise");
            w.writeDefaultNamespace(QUOALISE_NAMESPACE);
            w.writeStartElement("data");
            SenmlRecord first = records.isEmpty() ? null : records.get(0);
            QuoaliseMeta.write(
                    w,
                    QuoaliseMeta.names(records),
                    catalogue,
                    first == null ? null : first.u() != null ? first.u() : first.bu(),
                    first == null ? null : first.dur());
            Senml.writeXml(w, records);
            w.writeEndElement();
            w.writeEndElement();
            w.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("Cannot write the quoalise element", e);
        }
        return out.toString();
    }

    /** The acknowledgement of a data message, sent once it is committed to the inbox. */
    public Message accepted(String peerJid, String messageId) throws XmppStringprepException {
        return ack(peerJid, messageId, "accepted", null);
    }

    /** The refusal of a data message that will never be accepted as it is. */
    public Message rejected(String peerJid, String messageId, String reason) throws XmppStringprepException {
        return ack(peerJid, messageId, "rejected", reason);
    }

    /**
     * The answer to a data message this proxy will not take now (its operator suspended the sender): keep it, send it
     * again later.
     */
    public Message deferred(String peerJid, String messageId, String reason) throws XmppStringprepException {
        return ack(peerJid, messageId, "deferred", reason);
    }

    private static Message ack(String peerJid, String messageId, String status, String reason)
            throws XmppStringprepException {
        return ack("ack", NAMESPACE, peerJid, messageId, status, reason);
    }

    /**
     * An acknowledgement stanza: element {@code name} in {@code namespace} with the message id, the status and the
     * reason (at most 500 characters), and a body for people (camel-xmpp passes on messages with a body only).
     */
    static Message ack(String name, String namespace, String peerJid, String messageId, String status, String reason)
            throws XmppStringprepException {
        Message message = new Message(JidCreate.from(peerJid), Message.Type.chat);
        message.setBody("sen-proxy: " + status + " " + messageId);
        StandardExtensionElement.Builder ack = StandardExtensionElement.builder(name, namespace)
                .addAttribute("id", messageId)
                .addAttribute("status", status);
        if (reason != null) {
            ack.addAttribute("reason", reason.length() > 500 ? reason.substring(0, 500) : reason);
        }
        message.addExtension(ack.build());
        return message;
    }

    /**
     * A message for an observer rather than a peer proxy (the monitoring JID: heartbeat and alarms, see
     * observe.Monitoring): SenML in the Quoalise data element and a body for people, but no envelope, so it is
     * neither signed, nor stored in an outbox, nor acknowledged.
     */
    public static Message notice(String to, String body, List<SenmlRecord> records) throws XmppStringprepException {
        Message message = new Message(JidCreate.from(to), Message.Type.chat);
        message.setBody(body);
        message.addExtension(
                new XmlExtension("quoalise", QUOALISE_NAMESPACE, quoalise(records, name -> Optional.empty())));
        return message;
    }

    // ---- receiving

    public boolean isAck(Message message) {
        return message.getExtension("ack", NAMESPACE) != null;
    }

    /** Reads an acknowledgement; the peer is the authenticated sender of the stanza. */
    public Ack decodeAck(Message message) {
        StandardExtensionElement ack = standard(message.getExtension("ack", NAMESPACE));
        String status = ack.getAttributeValue("status");
        return new Ack(
                bareSender(message),
                ack.getAttributeValue("id"),
                "accepted".equals(status),
                ack.getAttributeValue("reason"),
                "deferred".equals(status));
    }

    /**
     * Names a decoded message in its exchange's headers: {@code SenproxyCorrelation} (in the MDC of every line logged
     * for it), {@code SenproxyPeer} and {@code SenproxyMessageId} (whom a refusal answers, federation-inbound-errors).
     * One bean step, where three simple expressions calling the body's methods would each build a bean expression
     * anew, on the thread that checks every message.
     */
    public void label(FederationMessage message, Exchange exchange) {
        org.apache.camel.Message headers = exchange.getMessage();
        headers.setHeader("SenproxyCorrelation", message.correlationId());
        headers.setHeader("SenproxyPeer", message.senderJid());
        headers.setHeader("SenproxyMessageId", message.messageId());
    }

    /**
     * Reads and checks a data message: envelope present, version understood, sender consistent with the
     * address the server authenticated, SenML valid. Anything else is a {@link FederationException}.
     */
    public FederationMessage decode(Message message, Exchange exchange) {
        String sender = bareSender(message);
        ExtensionElement element = message.getExtension("envelope", NAMESPACE);
        if (element == null) {
            throw new FederationException(
                    "not a sen-proxy data message: no <envelope xmlns='" + NAMESPACE + "'>", false);
        }
        StandardExtensionElement envelope = standard(element);
        String id = envelope.getAttributeValue("id");
        if (id == null || id.isBlank() || id.length() > MAX_ID_LENGTH) {
            throw new FederationException("envelope without a valid id (1 to " + MAX_ID_LENGTH + " characters)", false);
        }
        int version = version(envelope.getAttributeValue("version"), sender);
        String claimed = envelope.getAttributeValue("sender");
        if (!sender.equals(claimed)) {
            throw new FederationException(
                    "envelope sender '" + claimed + "' is not the authenticated address " + sender, false);
        }
        String correlation = envelope.getAttributeValue("correlation");
        ExtensionElement data = message.getExtension("quoalise", QUOALISE_NAMESPACE);
        if (data == null) {
            throw new FederationException("no <quoalise xmlns='" + QUOALISE_NAMESPACE + "'> data element", true);
        }
        List<Measurement> records;
        try {
            double now = exchange.getClock().getCreated() / 1000.0;
            // the element's XML as received (QuoaliseDataProvider), or as built by a test or the sending side
            String xml = data.toXML(null).toString();
            if (xml.length() > maxDataChars) {
                throw new FederationException(
                        "data element of " + xml.length() + " characters, over this proxy's" + " limit of "
                                + maxDataChars + " (senproxy.inbound.max-data-chars): send smaller packs",
                        true);
            }
            records = Senml.resolve(readSensml(xml), now);
        } catch (SenmlException e) {
            throw new FederationException("invalid SenML: " + e.getMessage(), e);
        }
        return new FederationMessage(
                        sender,
                        id,
                        version,
                        correlation == null || correlation.isBlank() ? id : correlation,
                        records,
                        envelope.getAttributeValue("signature"),
                        version == PREVIOUS_VERSION ? null : envelope.getAttributeValue("consent"))
                .replyingTo(replyAddress(message));
    }

    private int version(String value, String sender) {
        try {
            int version = Integer.parseInt(value);
            if (version == VERSION) {
                return version;
            }
            if (version == PREVIOUS_VERSION) {
                if (warnedSenders.add(sender)) {
                    LOG.warn(
                            "{} sends format version {}, which is deprecated: this proxy writes {} and will stop"
                                    + " reading {} in a later release; upgrade that proxy",
                            sender,
                            version,
                            VERSION,
                            version);
                }
                return version;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new FederationException(
                "unsupported format version '" + value + "' (this proxy reads " + PREVIOUS_VERSION + " and " + VERSION
                        + ")",
                true);
    }

    private static List<SenmlRecord> readSensml(String quoaliseXml) {
        try {
            XMLStreamReader r = Senml.secureInputFactory().createXMLStreamReader(new StringReader(quoaliseXml));
            while (r.hasNext()) {
                if (r.next() == XMLStreamConstants.START_ELEMENT && "sensml".equals(r.getLocalName())) {
                    return Senml.readXml(r);
                }
            }
        } catch (XMLStreamException e) {
            throw new FederationException("unreadable quoalise XML: " + e.getMessage(), e);
        }
        throw new FederationException("no <sensml> element in the quoalise data", true);
    }

    private static StandardExtensionElement standard(ExtensionElement element) {
        if (element instanceof StandardExtensionElement standard) {
            return standard;
        }
        throw new FederationException("unexpected " + element.getElementName() + " element", false);
    }

    /**
     * Where an answer to this message goes: the full JID the server stamped it with (the sending replica), or the
     * bare JID when it names no resource.
     */
    public static String replyAddress(Message message) {
        Jid from = message.getFrom();
        if (from == null) {
            throw new FederationException("message without a sender address", false);
        }
        return from.toString();
    }

    /** The authenticated sender's bare JID. */
    public static String bareSender(Message message) {
        Jid from = message.getFrom();
        if (from == null) {
            throw new FederationException("message without a sender address", false);
        }
        return from.asBareJid().toString();
    }
}
