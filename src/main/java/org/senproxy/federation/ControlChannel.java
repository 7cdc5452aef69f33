package org.senproxy.federation;

import java.time.Clock;
import java.util.List;

import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Control messages on this proxy's XMPP session (routes/control.camel.yaml): received ones are checked, recorded and
 * answered ({@link ControlMessages#receive}), acknowledgements settle the sent ones, and the due ones are sent, each until
 * its peer acknowledges it (the outbox's rule: a message without an acknowledgement is sent again after a back-off, and
 * becomes dead, with its reason, after its last attempt).
 */
public class ControlChannel {

    private static final Logger LOG = LoggerFactory.getLogger(ControlChannel.class);

    private final ControlMessages messages;
    private final FederationLink link;
    private final String ownJid;
    private final Clock clock;
    private final int batchSize;
    private final double retrySeconds;
    private final int maxAttempts;

    public ControlChannel(
            ControlMessages messages,
            FederationLink link,
            String ownJid,
            Clock clock,
            int batchSize,
            double retrySeconds,
            int maxAttempts) {
        this.messages = messages;
        this.link = link;
        this.ownJid = ownJid;
        this.clock = clock;
        this.batchSize = batchSize;
        this.retrySeconds = retrySeconds;
        this.maxAttempts = maxAttempts;
    }

    /** Whether a stanza belongs to the control channel (a control message or its acknowledgement). */
    public boolean isControl(Message message) {
        return ControlCodec.isControl(message) || ControlCodec.isControlAck(message);
    }

    /** Handles one control stanza: settles an acknowledgement, or checks, records and answers a control message. */
    public void receive(Message message) throws Exception {
        if (ControlCodec.isControlAck(message)) {
            messages.settle(ControlCodec.decodeAck(message));
            return;
        }
        ControlCodec.Received received;
        try {
            received = ControlCodec.decode(message);
        } catch (FederationException unreadable) {
            String id = rawId(message);
            LOG.warn("Control message {} from {} refused: {}", id, message.getFrom(), unreadable.getMessage());
            if (message.getFrom() != null) {
                messages.unreadable(message.getFrom().asBareJid().toString(), id, unreadable.getMessage());
            }
            if (id != null && message.getFrom() != null) {
                link.send(
                        ControlCodec.ack(message.getFrom().asBareJid().toString(), id, false, unreadable.getMessage()));
            }
            return;
        }
        ControlMessages.Answer answer = messages.receive(received);
        if (!answer.accepted()) {
            LOG.warn(
                    "Control message {} ({}) from {} refused: {}",
                    received.messageId(),
                    received.type(),
                    received.senderJid(),
                    answer.reason());
        } else {
            LOG.info(
                    "Control message {} ({}) from {} accepted",
                    received.messageId(),
                    received.type(),
                    received.senderJid());
        }
        link.send(ControlCodec.ack(received.senderJid(), received.messageId(), answer.accepted(), answer.reason()));
    }

    private static String rawId(Message message) {
        if (message.getExtension("control", ControlCodec.NAMESPACE) instanceof StandardExtensionElement control) {
            String id = control.getAttributeValue("id");
            return id == null || id.length() > 128 ? null : id;
        }
        return null;
    }

    /**
     * Sends the control messages due, when online.
     *
     * @return how many were sent
     */
    public int dispatch() throws Exception {
        if (!link.isOnline()) {
            return 0;
        }
        List<ControlMessages.Outgoing> due = messages.claim(batchSize, retrySeconds, maxAttempts);
        for (ControlMessages.Outgoing out : due) {
            link.send(ControlCodec.stanza(
                    out.peerJid(), ownJid, out.messageId(), out.type(), messages.wirePayload(out, clock)));
        }
        return due.size();
    }
}
