package org.senproxy.outbox;

/**
 * An outbox row claimed for sending. {@code payload} is the resolved SenML pack as JSON; {@code consentRef} the consent
 * it is sent under ({@code null} for a consumer without one, when consents are not required).
 */
public record OutboxMessage(long id, String messageId, String correlationId, String recipientJid, String payload,
        int recordCount, int attempts, String consentRef) {
}
