package org.senproxy.federation;

/**
 * An inbound message that cannot be accepted. It becomes a dead letter with this reason; when the
 * sender is a known peer and the message has an id, the sender is told, so it stops resending.
 */
public class FederationException extends RuntimeException {

    private final boolean tellSender;

    public FederationException(String reason, boolean tellSender) {
        super(reason);
        this.tellSender = tellSender;
    }

    public FederationException(String reason, Throwable cause) {
        super(reason, cause);
        this.tellSender = true;
    }

    public boolean tellSender() {
        return tellSender;
    }
}
