package org.senproxy.inbox;

import java.util.List;

/**
 * A batch of received messages once committed to the inbox: every message may be acknowledged; {@code newRows} are
 * the ones stored now (not resends), leased to the caller for delivery.
 */
public record InboxBatch(List<org.senproxy.federation.FederationMessage> messages, List<InboxRow> newRows) {
}
