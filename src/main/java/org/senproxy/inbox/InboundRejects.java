package org.senproxy.inbox;

import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.camel.Exchange;
import org.apache.camel.component.xmpp.XmppConstants;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.jxmpp.stringprep.XmppStringprepException;
import org.senproxy.audit.AuditEvent;
import org.senproxy.audit.AuditTrail;
import org.senproxy.delivery.DeadLetters;
import org.senproxy.delivery.Reasons;
import org.senproxy.federation.FederationCodec;
import org.senproxy.federation.FederationException;
import org.senproxy.federation.PeerSuspended;
import org.senproxy.federation.Peers;

/**
 * What happens to an inbound message that cannot be accepted: it is kept as a dead letter with its raw
 * stanza and reason, and a known sender is told, so that it dead-letters its outbox row instead of
 * resending forever. The original stanza is in the {@code CamelXmppDoc} header that camel-xmpp sets. A message from a
 * suspended peer ({@link PeerSuspended}) is no dead letter: it is audited ({@code transfer.deferred}) and its sender
 * told to keep it and send it again later.
 */
public class InboundRejects {

    private final DeadLetters deadLetters;
    private final AuditTrail audit;
    private final FederationCodec codec;
    private final Peers peers;

    public InboundRejects(DeadLetters deadLetters, AuditTrail audit, FederationCodec codec, Peers peers) {
        this.deadLetters = deadLetters;
        this.audit = audit;
        this.codec = codec;
        this.peers = peers;
    }

    public void deadLetter(Exchange exchange) throws SQLException {
        Message stanza = stanza(exchange);
        String raw = stanza == null ? null : stanza.toXML(null).toString();
        String sender = sender(stanza);
        String messageId = messageId(stanza);
        String reason = reason(exchange);
        boolean deferred = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class) instanceof PeerSuspended;
        if (!deferred) {
            deadLetters.recordInbound(exchange.getFromRouteId(), sender, messageId, reason, raw);
        }
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("message", messageId);
        detail.put("from", sender);
        detail.put("reason", reason);
        audit.append(List.of(AuditEvent.of(
                deferred ? "transfer.deferred" : "transfer.refused",
                sender == null ? "unknown" : sender,
                null,
                consent(stanza),
                detail)));
    }

    /** The consent the envelope names, when it is a well-formed ref (the audit trail keeps refs only). */
    private static String consent(Message stanza) {
        String ref = envelope(stanza) == null ? null : envelope(stanza).getAttributeValue("consent");
        try {
            return ref == null ? null : UUID.fromString(ref).toString();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static StandardExtensionElement envelope(Message stanza) {
        if (stanza != null
                && stanza.getExtension("envelope", FederationCodec.NAMESPACE) instanceof StandardExtensionElement e) {
            return e;
        }
        return null;
    }

    /** The rejection to send back, or null when the sender should not be answered. */
    public Message rejection(Exchange exchange) throws SQLException, XmppStringprepException {
        Message stanza = stanza(exchange);
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String sender = sender(stanza);
        String messageId = messageId(stanza);
        boolean tell = !(error instanceof FederationException fe) || fe.tellSender();
        if (!tell || sender == null || messageId == null || !peers.isKnown(sender)) {
            return null;
        }
        // to the replica that sent it (the stanza's full JID), as an acceptance
        String to = stanza.getFrom().toString();
        return error instanceof PeerSuspended
                ? codec.deferred(to, messageId, reason(exchange))
                : codec.rejected(to, messageId, reason(exchange));
    }

    private static String reason(Exchange exchange) {
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        return error instanceof FederationException ? error.getMessage() : Reasons.of(error);
    }

    private static Message stanza(Exchange exchange) {
        return exchange.getIn().getHeader(XmppConstants.DOC_HEADER, Message.class);
    }

    private static String sender(Message stanza) {
        return stanza == null || stanza.getFrom() == null
                ? null
                : stanza.getFrom().asBareJid().toString();
    }

    private static String messageId(Message stanza) {
        if (stanza == null) {
            return null;
        }
        if (stanza.getExtension("envelope", FederationCodec.NAMESPACE) instanceof StandardExtensionElement e) {
            return e.getAttributeValue("id");
        }
        return null;
    }
}
