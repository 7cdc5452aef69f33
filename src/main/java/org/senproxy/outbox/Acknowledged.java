package org.senproxy.outbox;

/** An outbox row its recipient acknowledged: the message id, and the correlation id of the records it carried. */
public record Acknowledged(String messageId, String correlationId) {
}
