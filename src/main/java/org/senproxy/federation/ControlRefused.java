package org.senproxy.federation;

/**
 * A control message refused by its handler, with the reason its sender is told. {@code recorded} false: the message
 * is answered but not written down (a flood must not fill the tables).
 */
public final class ControlRefused extends RuntimeException {

    private final boolean recorded;

    public ControlRefused(String reason) {
        this(reason, true);
    }

    public ControlRefused(String reason, boolean recorded) {
        super(reason, null, false, false);
        this.recorded = recorded;
    }

    public boolean recorded() {
        return recorded;
    }
}
