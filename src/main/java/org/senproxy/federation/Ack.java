package org.senproxy.federation;

/** A peer's answer to one data message: stored (accepted) or refused for good, with the reason. */
public record Ack(String peerJid, String messageId, boolean accepted, String reason) {
}
