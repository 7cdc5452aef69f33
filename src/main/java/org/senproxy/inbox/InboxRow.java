package org.senproxy.inbox;

/** An inbox row to deliver. {@code payload} is the resolved SenML pack as JSON. */
public record InboxRow(long id, String senderJid, String messageId, String correlationId, String payload,
        int recordCount, int attempts) {
}
