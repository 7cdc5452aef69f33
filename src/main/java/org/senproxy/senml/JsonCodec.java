package org.senproxy.senml;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** SenML in JSON (RFC 8428 section 5), read and written with Jackson. */
final class JsonCodec {

    static final int MAX_NESTING_DEPTH = 64;
    static final int MAX_NUMBER_LENGTH = 100;
    static final int MAX_DOCUMENT_LENGTH = 16 * 1024 * 1024;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxNumberLength(MAX_NUMBER_LENGTH)
                    .maxDocumentLength(MAX_DOCUMENT_LENGTH)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private static final ObjectMapper MAPPER = JsonMapper.builder(FACTORY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private JsonCodec() {}

    // ---- reading

    static List<SenmlRecord> parse(String json) {
        checkLength(json.length(), "characters");
        try {
            return parse(MAPPER.readTree(json));
        } catch (JsonProcessingException e) {
            throw notJson(e);
        }
    }

    static List<SenmlRecord> parse(byte[] json) {
        checkLength(json.length, "bytes");
        try {
            return parse(MAPPER.readTree(json));
        } catch (IOException e) { // JsonProcessingException, or CharConversionException for a bad encoding
            throw notJson(e);
        }
    }

    /** Jackson only enforces its document length limit on streamed input, so whole documents are checked here. */
    private static void checkLength(int length, String unit) {
        if (length > MAX_DOCUMENT_LENGTH) {
            throw new SenmlException(
                    -1, null, "document too large: " + length + " " + unit + ", the limit is " + MAX_DOCUMENT_LENGTH);
        }
    }

    private static SenmlException notJson(IOException e) {
        String detail = e.getMessage();
        if (e instanceof JsonProcessingException jackson) {
            detail = jackson.getOriginalMessage();
            JsonLocation where = jackson.getLocation();
            if (where != null) {
                detail += " (line " + where.getLineNr() + ", column " + where.getColumnNr() + ")";
            }
        }
        return new SenmlException(-1, null, "not valid JSON: " + detail, e);
    }

    static List<SenmlRecord> parse(JsonNode pack) {
        if (pack == null || !pack.isArray()) {
            throw new SenmlException(-1, null, "not a JSON array (got " + describe(pack) + ")");
        }
        List<SenmlRecord> records = new ArrayList<>(pack.size());
        for (int index = 0; index < pack.size(); index++) {
            records.add(record(index, pack.get(index)));
        }
        return List.copyOf(records);
    }

    private static SenmlRecord record(int index, JsonNode object) {
        if (!object.isObject()) {
            throw new SenmlException(index, null, "not a JSON object (got " + describe(object) + ")");
        }
        RecordBuilder record = new RecordBuilder();
        for (Map.Entry<String, JsonNode> member : object.properties()) {
            String label = member.getKey();
            Field field = Field.byLabel(label);
            if (field != null) {
                record.set(field, value(index, field, member.getValue()));
            } else if (Field.mustUnderstand(label)) {
                throw new SenmlException(
                        index, label, "unknown field that must be understood (its label ends with" + " '_')");
            }
            // any other unknown field is ignored (RFC 8428 section 4.4)
        }
        return record.build();
    }

    private static Object value(int index, Field field, JsonNode node) {
        switch (field.type()) {
            case TEXT:
                if (node.isTextual()) {
                    return node.textValue();
                }
                throw wrongType(index, field, "a string", node);
            case BOOLEAN:
                if (node.isBoolean()) {
                    return node.booleanValue();
                }
                throw wrongType(index, field, "a boolean", node);
            case NUMBER:
                if (node.isNumber()) {
                    double number = node.doubleValue();
                    if (!Double.isFinite(number)) {
                        throw new SenmlException(index, field.label(), "number out of the range of a double");
                    }
                    return number;
                }
                throw wrongType(index, field, "a number", node);
            case INTEGER:
                if (node.isNumber()) {
                    double number = node.doubleValue();
                    if (number == Math.rint(number) && Math.abs(number) <= Integer.MAX_VALUE) {
                        return (int) number;
                    }
                    throw new SenmlException(index, field.label(), "expected a 32-bit integer, got " + node);
                }
                throw wrongType(index, field, "an integer", node);
            default:
                throw new IllegalStateException("unhandled field type " + field.type());
        }
    }

    private static SenmlException wrongType(int index, Field field, String expected, JsonNode actual) {
        return new SenmlException(index, field.label(), "expected " + expected + ", got " + describe(actual));
    }

    /** "a string", "an object", ...: the JSON type of a node, for messages. */
    private static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "an empty document";
        }
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> "a " + node.getNodeType().name().toLowerCase(Locale.ROOT) + " node";
        };
    }

    // ---- writing

    static String write(List<SenmlRecord> records) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.writeStartArray();
            for (int index = 0; index < records.size(); index++) {
                writeRecord(json, index, records.get(index));
            }
            json.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write JSON to a string", e);
        }
        return out.toString();
    }

    private static void writeRecord(JsonGenerator json, int index, SenmlRecord record) throws IOException {
        if (record == null) {
            throw new NullPointerException("record " + index + " is null");
        }
        json.writeStartObject();
        for (Field field : Field.values()) {
            Object value = field.valueIn(record);
            if (value == null) {
                continue;
            }
            json.writeFieldName(field.label());
            switch (field.type()) {
                case TEXT -> json.writeString((String) value);
                case NUMBER -> json.writeNumber(Numbers.format(Numbers.requireFinite(index, field, (Double) value)));
                case INTEGER -> json.writeNumber((Integer) value);
                case BOOLEAN -> json.writeBoolean((Boolean) value);
                default -> throw new IllegalStateException("unhandled field type " + field.type());
            }
        }
        json.writeEndObject();
    }
}
