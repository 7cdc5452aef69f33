package org.senproxy.outbox;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.senproxy.senml.Measurement;
import org.senproxy.senml.Senml;

/**
 * Turns what a connector's transform produced (SenML JSON, as text or as a Jackson tree) into resolved
 * records. Records without a time were measured "now": the time the poll started.
 */
public class SourceRecords {

    public List<Measurement> resolve(Object body, Exchange exchange) {
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
