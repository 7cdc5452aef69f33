package org.senproxy.outbox;

import org.senproxy.federation.OutgoingMessage;

/**
 * An outbox row claimed for sending. {@code payload} is the resolved SenML pack as JSON (canonical form, see
 * CanonicalRecords); {@code consentRef} the consent it is sent under ({@code null} for a consumer without one, when
 * consents are not required); {@code recordsDigest} the payload's digest, written with the row for its signature and
 * audit entry ({@code null} for a row from before migration V11: computed when signing). The federation codec writes
 * its stanza ({@link OutgoingMessage}).
 */
public record OutboxMessage(
        long id,
        String messageId,
        String correlationId,
        String recipientJid,
        String payload,
        int recordCount,
        int attempts,
        String consentRef,
        String recordsDigest)
        implements OutgoingMessage {

    /** A row without its digest: the signature computes it from the payload. */
    public OutboxMessage(
            long id,
            String messageId,
            String correlationId,
            String recipientJid,
            String payload,
            int recordCount,
            int attempts,
            String consentRef) {
        this(id, messageId, correlationId, recipientJid, payload, recordCount, attempts, consentRef, null);
    }

    /**
     * The row's id, not a hash of its payload: Camel's simple language ({@code ${body.id()}} in outbox-dispatch) looks
     * the body up in a cache by its hash on every evaluation, and each claimed row's payload is a new string of some
     * 20,000 characters to hash.
     */
    @Override
    public int hashCode() {
        return Long.hashCode(id);
    }
}
