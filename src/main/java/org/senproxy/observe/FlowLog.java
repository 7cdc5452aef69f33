package org.senproxy.observe;

import java.util.List;
import java.util.function.Function;

import org.senproxy.federation.FederationMessage;
import org.senproxy.inbox.InboxBatch;
import org.senproxy.inbox.InboxRow;
import org.senproxy.outbox.Acknowledged;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The DEBUG lines of logger {@code senproxy.flow} (SENPROXY_LOG_FLOW=DEBUG) for the steps that handle a batch of
 * messages at once: one line per message, each under its own correlation id (MDC key SenproxyCorrelation), as the
 * lines of the steps that handle one batch of records each (camel-mdc). Costs nothing while the logger is off.
 */
public class FlowLog {

    private static final Logger FLOW = LoggerFactory.getLogger("senproxy.flow");
    private static final String CORRELATION = "SenproxyCorrelation";

    /** B: the messages of a batch are in the inbox and their senders were acknowledged. */
    public void stored(InboxBatch batch) {
        each(
                batch.messages(),
                FederationMessage::correlationId,
                m -> "Message " + m.messageId() + " from " + m.senderJid() + " stored in the inbox and acknowledged");
    }

    /** B: these inbox rows were delivered to the sink. */
    public void delivered(List<InboxRow> rows, String sink) {
        each(rows, InboxRow::correlationId, r -> "Inbox row " + r.id() + " delivered to " + sink);
    }

    /** A: these outbox rows were acknowledged by their recipient. */
    public void acknowledged(List<Acknowledged> rows) {
        each(rows, Acknowledged::correlationId, r -> "Message " + r.messageId() + " acknowledged by its recipient");
    }

    private static <T> void each(List<T> items, Function<T, String> correlation, Function<T, String> line) {
        if (!FLOW.isDebugEnabled()) {
            return;
        }
        String outer = MDC.get(CORRELATION);
        try {
            for (T item : items) {
                String id = correlation.apply(item);
                if (id == null) {
                    MDC.remove(CORRELATION);
                } else {
                    MDC.put(CORRELATION, id);
                }
                FLOW.debug(line.apply(item));
            }
        } finally {
            if (outer == null) {
                MDC.remove(CORRELATION);
            } else {
                MDC.put(CORRELATION, outer);
            }
        }
    }
}
