package org.senproxy.federation;

/**
 * An inbound message from a peer app this proxy's operator suspended (the kill-switch): not stored, and not a dead
 * letter either; its sender is answered with a deferral ({@code <ack status="deferred" reason="...">}), so that it
 * keeps the message in its outbox and sends it again later.
 */
public class PeerSuspended extends FederationException {

    public PeerSuspended(String reason) {
        super(reason, true);
    }
}
