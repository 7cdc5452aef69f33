package org.senproxy.federation;

/**
 * What {@link FederationCodec#toStanza} writes a data message from: the outbox's claimed row (outbox.OutboxMessage)
 * is one. Declared here so that federation, below the outbox, does not import it.
 */
public interface OutgoingMessage {

    String messageId();

    String correlationId();

    /** The peer proxy's JID. */
    String recipientJid();

    /** The resolved SenML pack as JSON, in its canonical form (senml.CanonicalRecords). */
    String payload();

    /** The ref of the consent it is sent under, or {@code null}. */
    String consentRef();

    /** The digest of the payload's records, or {@code null}: the signature then computes it from the payload. */
    String recordsDigest();
}
