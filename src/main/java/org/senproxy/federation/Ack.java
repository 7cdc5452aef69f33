package org.senproxy.federation;

/**
 * A peer's answer to one data message: stored (accepted), refused for good with the reason, or deferred (the peer's
 * operator suspended this proxy: keep the message and send it again later), with the reason.
 */
public record Ack(String peerJid, String messageId, boolean accepted, String reason, boolean deferred) {

    /** An answer that is not a deferral. */
    public Ack(String peerJid, String messageId, boolean accepted, String reason) {
        this(peerJid, messageId, accepted, reason, false);
    }
}
