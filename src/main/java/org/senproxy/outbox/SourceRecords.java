package org.senproxy.outbox;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.senproxy.senml.Measurement;
import org.senproxy.senml.Senml;

/**
 * Turns what a connector's transform produced (SenML JSON, as text or as a Jackson tree) into resolved
 * records; records resolved already (gathered by routes/source-gather.camel.yaml) pass as they are. Records without a
 * time were measured "now": the time the poll started.
 */
public class SourceRecords {

    @SuppressWarnings("unchecked")
    public List<Measurement> resolve(Object body, Exchange exchange) {
        if (body instanceof List<?> list && (list.isEmpty() || list.get(0) instanceof Measurement)) {
            return (List<Measurement>) list;
        }
        double now = exchange.getClock().getCreated() / 1000.0;
        if (body instanceof JsonNode node) {
            return Senml.resolve(Senml.parseJson(node), now);
        }
        if (body instanceof byte[] bytes) {
            return Senml.resolve(Senml.parseJson(bytes), now);
        }
        String text = exchange.getContext().getTypeConverter().convertTo(String.class, exchange, body);
        return Senml.resolve(Senml.parseJson(text == null ? "" : text), now);
    }
}
