package org.senproxy.routes;

import java.util.UUID;

import org.jivesoftware.smack.packet.Message;
import org.jxmpp.jid.impl.JidCreate;
import org.senproxy.federation.FederationCodec;
import org.senproxy.outbox.OutboxMessage;

/** Stanzas as a peer proxy would send them, with the sender address the XMPP server would stamp. */
final class Stanzas {

    private Stanzas() {
    }

    static Message data(String from, String to, String messageId, String senmlJson) throws Exception {
        Message message = new FederationCodec(from).toStanza(
                new OutboxMessage(1, messageId, "corr-" + messageId, to, senmlJson, 1, 0));
        message.setFrom(JidCreate.from(from + "/sen-proxy"));
        return message;
    }

    static Message data(String from, String to, String senmlJson) throws Exception {
        return data(from, to, UUID.randomUUID().toString(), senmlJson);
    }

    static Message accepted(String from, String to, String messageId) throws Exception {
        Message message = new FederationCodec(from).accepted(to, messageId);
        message.setFrom(JidCreate.from(from + "/sen-proxy"));
        return message;
    }

    static Message rejected(String from, String to, String messageId, String reason) throws Exception {
        Message message = new FederationCodec(from).rejected(to, messageId, reason);
        message.setFrom(JidCreate.from(from + "/sen-proxy"));
        return message;
    }
}
