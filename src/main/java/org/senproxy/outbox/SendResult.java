package org.senproxy.outbox;

/**
 * What happened to one claimed row: written to the XMPP stream ({@code error == null}) or not.
 * {@code attemptsBefore} is the row's attempt count when it was claimed.
 */
public record SendResult(long outboxId, int attemptsBefore, String error) {

    public boolean written() {
        return error == null;
    }
}
