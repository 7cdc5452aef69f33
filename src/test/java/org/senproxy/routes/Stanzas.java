package org.senproxy.routes;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;

import com.nimbusds.jose.jwk.ECKey;
import org.jivesoftware.smack.packet.Message;
import org.jxmpp.jid.impl.JidCreate;
import org.senproxy.federation.FederationCodec;
import org.senproxy.outbox.OutboxMessage;

/** Stanzas as a peer proxy would send them, with the sender address the XMPP server would stamp. */
final class Stanzas {

    private Stanzas() {}

    static Message data(String from, String to, String messageId, String senmlJson) throws Exception {
        Message message = new FederationCodec(from)
                .toStanza(new OutboxMessage(1, messageId, "corr-" + messageId, to, senmlJson, 1, 0, null));
        message.setFrom(JidCreate.from(from + "/sen-proxy"));
        return message;
    }

    /** A data message signed with {@code key} at {@code signedAt}. */
    static Message signed(String from, String to, String messageId, String senmlJson, ECKey key, Instant signedAt)
            throws Exception {
        Message message = new FederationCodec(from, key, Clock.fixed(signedAt, ZoneOffset.UTC))
                .toStanza(new OutboxMessage(1, messageId, "corr-" + messageId, to, senmlJson, 1, 0, null));
        message.setFrom(JidCreate.from(from + "/sen-proxy"));
        return message;
    }

    /** A data message under a consent, signed with {@code key} at {@code signedAt}. */
    static Message signedUnderConsent(
            String from, String to, String messageId, String senmlJson, ECKey key, Instant signedAt, String consentRef)
            throws Exception {
        Message message = new FederationCodec(from, key, Clock.fixed(signedAt, ZoneOffset.UTC))
                .toStanza(new OutboxMessage(1, messageId, "corr-" + messageId, to, senmlJson, 1, 0, consentRef));
        message.setFrom(JidCreate.from(from + "/sen-proxy"));
        return message;
    }

    /** A data message sent under a consent. */
    static Message underConsent(String from, String to, String messageId, String senmlJson, String consentRef)
            throws Exception {
        Message message = new FederationCodec(from)
                .toStanza(new OutboxMessage(1, messageId, "corr-" + messageId, to, senmlJson, 1, 0, consentRef));
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
