package org.senproxy.connectors;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;

/**
 * Newline-delimited JSON (one value per line, as GRDF ADICT answers) as one JSON array, so that a jq transform reads
 * it like any other answer. A line that is not JSON fails with the line's position.
 */
public final class Ndjson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Ndjson() {}

    public static JsonNode toArray(String ndjson) throws IOException {
        ArrayNode array = JSON.createArrayNode();
        try (MappingIterator<JsonNode> values = JSON.readerFor(JsonNode.class).readValues(ndjson)) {
            while (values.hasNextValue()) {
                array.add(values.nextValue());
            }
        }
        return array;
    }
}
