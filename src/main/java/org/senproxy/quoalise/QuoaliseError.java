package org.senproxy.quoalise;

/**
 * A command refused as the Quoalise community does: {@code not-authorized} (unknown app, no consent covering the
 * series), {@code bad-request} (malformed identifier or dates), {@code item-not-found} (no such series or
 * subscription here); and {@code forbidden} for an app this proxy's operator suspended (the kill-switch). The text
 * says which, for the client's user.
 */
public final class QuoaliseError extends Exception {

    /** The XMPP stanza error condition answered. */
    public enum Condition {
        NOT_AUTHORIZED,
        BAD_REQUEST,
        ITEM_NOT_FOUND,
        FORBIDDEN
    }

    private final Condition condition;

    public QuoaliseError(Condition condition, String text) {
        super(text);
        this.condition = condition;
    }

    public Condition condition() {
        return condition;
    }
}
