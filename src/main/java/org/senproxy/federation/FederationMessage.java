package org.senproxy.federation;

import java.util.List;

import org.senproxy.senml.Measurement;

/**
 * A decoded data message: who sent it (bare JID, as the XMPP server authenticated it), its unique id,
 * the wire format version, the correlation id that follows the batch end to end, its records, and its signature
 * (compact JWS, see {@link MessageSignatures}; {@code null} when unsigned), and the consent it was sent under (the
 * consent's ref; {@code null} when it names none).
 */
public record FederationMessage(String senderJid, String messageId, int version, String correlationId,
        List<Measurement> records, String signature, String consentRef) {
}
