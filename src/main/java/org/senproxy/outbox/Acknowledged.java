package org.senproxy.outbox;

/**
 * An outbox row its recipient acknowledged: the message id, the correlation id of the records it carried, the
 * recipient, and how many records it carried.
 */
public record Acknowledged(String messageId, String correlationId, String recipient, int records) {}
