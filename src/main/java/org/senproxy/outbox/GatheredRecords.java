package org.senproxy.outbox;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.senproxy.senml.Measurement;

/**
 * Gathers the resolved records of several messages of one source into one list, one outbox-append, with the
 * completions each message holds ({@link HeldCompletions#PROPERTY}): routes/source-gather.camel.yaml.
 */
public class GatheredRecords implements AggregationStrategy {

    @Override
    @SuppressWarnings("unchecked")
    public Exchange aggregate(Exchange batch, Exchange message) {
        List<Measurement> records = message.getMessage().getBody(List.class);
        List<Object> held = message.getProperty(HeldCompletions.PROPERTY, List.class);
        if (batch == null) {
            message.getMessage().setBody(new ArrayList<>(records));
            message.setProperty(HeldCompletions.PROPERTY, new ArrayList<>(held));
            return message;
        }
        batch.getMessage().getBody(List.class).addAll(records);
        batch.getProperty(HeldCompletions.PROPERTY, List.class).addAll(held);
        return batch;
    }
}
