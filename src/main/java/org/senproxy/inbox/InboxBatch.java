package org.senproxy.inbox;

import java.util.List;

import org.senproxy.federation.FederationMessage;

/**
 * A batch of received messages once committed to the inbox: every message may be acknowledged; {@code newRows} are
 * the ones stored now (not resends), leased to the caller for delivery.
 */
public record InboxBatch(List<FederationMessage> messages, List<InboxRow> newRows) {

    /** The batch's sizes, not a hash of every record in it (why: {@link FederationMessage#hashCode()}). */
    @Override
    public int hashCode() {
        return 31 * messages.size() + newRows.size();
    }
}
