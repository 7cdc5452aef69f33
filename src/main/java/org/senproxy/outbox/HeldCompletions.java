package org.senproxy.outbox;

import java.util.List;

import org.apache.camel.Exchange;
import org.apache.camel.spi.Synchronization;
import org.apache.camel.support.DefaultExchange;

/**
 * Holds a message's completions (for an MQTT source with manual acks: the acknowledgement to the broker) while the
 * message waits in a batch, and hands them to the batch's exchange, so that they run when the batch is done:
 * acknowledged once its records are committed to the outbox, not before (routes/source-gather.camel.yaml).
 *
 * <p>Camel's aggregator works on a copy of each message and completes the original at once; without this, a broker
 * would be told a message was taken while its records were still only in memory. If the batch fails, or the proxy
 * stops before it is written, the held completions run as failures or not at all: the broker keeps the messages and
 * sends them again.
 */
public class HeldCompletions {

    /** The exchange property that carries the completions held, a {@code List<Synchronization>}. */
    public static final String PROPERTY = "SenproxyHeldCompletions";

    /** Takes the message's completions from its unit of work into {@link #PROPERTY}. */
    public void hold(Exchange message) {
        Exchange carrier = new DefaultExchange(message.getContext());
        message.getExchangeExtension().handoverCompletions(carrier);
        List<Synchronization> held = carrier.getExchangeExtension().handoverCompletions();
        message.setProperty(PROPERTY, held == null ? List.of() : held);
    }

    /** Gives the batch's exchange the completions its messages held: they run when the batch is done. */
    public void release(Exchange batch) {
        List<?> held = batch.getProperty(PROPERTY, List.class);
        batch.removeProperty(PROPERTY);
        for (Object completion : held) {
            batch.getExchangeExtension().addOnCompletion((Synchronization) completion);
        }
    }
}
