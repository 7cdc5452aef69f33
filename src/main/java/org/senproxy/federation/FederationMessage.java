package org.senproxy.federation;

import java.util.List;

import org.senproxy.senml.CanonicalRecords;
import org.senproxy.senml.Measurement;

/**
 * A decoded data message: who sent it (bare JID, as the XMPP server authenticated it), its unique id,
 * the wire format version, the correlation id that follows the batch end to end, its records, and its signature
 * (compact JWS, see {@link MessageSignatures}; {@code null} when unsigned), the consent it was sent under (the
 * consent's ref; {@code null} when it names none), and its records in canonical form once its signature was checked
 * against their digest ({@code null} before, or when the message was taken unsigned): the inbox stores that JSON and
 * the audit entry of its receipt records that digest. {@code replyTo} is the full JID (with its resource) the stanza
 * came from, where its acknowledgement goes ({@link #replyAddress}): the sender's replica that sent it, not every
 * replica of the sender; {@code null} when not known.
 */
public record FederationMessage(
        String senderJid,
        String messageId,
        int version,
        String correlationId,
        List<Measurement> records,
        String signature,
        String consentRef,
        CanonicalRecords canonical,
        String replyTo) {

    /** A message as decoded, its signature not checked yet. */
    public FederationMessage(
            String senderJid,
            String messageId,
            int version,
            String correlationId,
            List<Measurement> records,
            String signature,
            String consentRef) {
        this(senderJid, messageId, version, correlationId, records, signature, consentRef, null, null);
    }

    /** The same message, answered at this full JID (the stanza's sender, resource included). */
    public FederationMessage replyingTo(String fullJid) {
        return new FederationMessage(
                senderJid, messageId, version, correlationId, records, signature, consentRef, canonical, fullJid);
    }

    /**
     * Where its acknowledgement goes: the full JID it came from, so that only the sender's replica that sent it
     * handles the answer (a message to a bare JID reaches every replica of the sender); the bare JID when not known.
     */
    public String replyAddress() {
        return replyTo != null ? replyTo : senderJid;
    }

    /** The same message, its signature found to bind the digest of {@code canonical}, its records. */
    public FederationMessage verified(CanonicalRecords canonical) {
        return new FederationMessage(
                senderJid, messageId, version, correlationId, records, signature, consentRef, canonical, replyTo);
    }

    /** Its records in canonical form: computed by the signature check, or now (an unsigned message). */
    public CanonicalRecords canonicalRecords() {
        return canonical != null ? canonical : CanonicalRecords.of(records);
    }

    /**
     * A message's identity, not a hash of its records: Camel's simple language ({@code ${body.messageId()}} in the
     * routes) looks the body up in a cache by its hash on every evaluation, and hashing every record of every message
     * cost B about 2% of its CPU under load (docs/benchmarks.md). Equal messages still hash alike.
     */
    @Override
    public int hashCode() {
        return java.util.Objects.hash(senderJid, messageId);
    }
}
