package org.senproxy.outbox;

/** An outbox row claimed for sending. {@code payload} is the resolved SenML pack as JSON. */
public record OutboxMessage(long id, String messageId, String correlationId, String recipientJid, String payload,
        int recordCount, int attempts) {
}
