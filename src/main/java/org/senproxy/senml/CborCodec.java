package org.senproxy.senml;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;

/**
 * SenML in CBOR (RFC 8428 section 6), read and written with Jackson's CBOR format. The fields of RFC 8428 have
 * integer labels (table 4: bver -1, bn -2, bt -3, bu -4, bv -5, bs -6, n 0, u 1, v 2, vs 3, vb 4, s 5, t 6, ut 7,
 * vd 8); any other field keeps its text label ({@code dur}). A data value {@code vd} is a byte string in CBOR, where
 * JSON and XML carry it as base64url.
 *
 * <p>Reading turns the CBOR pack into the JSON form, with JSON labels, and checks it with the JSON reader's rules, so
 * that the three representations accept and refuse the same packs with the same messages.
 */
final class CborCodec {

    private static final Map<Field, Integer> LABELS = new EnumMap<>(Field.class);
    private static final Map<Integer, Field> BY_LABEL = new HashMap<>();

    static {
        label(Field.BVER, -1);
        label(Field.BN, -2);
        label(Field.BT, -3);
        label(Field.BU, -4);
        label(Field.BV, -5);
        label(Field.BS, -6);
        label(Field.N, 0);
        label(Field.U, 1);
        label(Field.V, 2);
        label(Field.VS, 3);
        label(Field.VB, 4);
        label(Field.S, 5);
        label(Field.T, 6);
        label(Field.UT, 7);
        label(Field.VD, 8);
    }

    private static void label(Field field, int label) {
        LABELS.put(field, label);
        BY_LABEL.put(label, field);
    }

    private static final CBORFactory FACTORY = CBORFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(JsonCodec.MAX_NESTING_DEPTH)
                    .maxNumberLength(JsonCodec.MAX_NUMBER_LENGTH)
                    .maxDocumentLength(JsonCodec.MAX_DOCUMENT_LENGTH)
                    .build())
            .build();

    private static final ObjectMapper MAPPER = CBORMapper.builder(FACTORY).build();

    private CborCodec() {}

    // ---- reading

    static List<SenmlRecord> parse(byte[] cbor) {
        if (cbor.length > JsonCodec.MAX_DOCUMENT_LENGTH) {
            throw new SenmlException(
                    -1,
                    null,
                    "document too large: " + cbor.length + " bytes, the limit is " + JsonCodec.MAX_DOCUMENT_LENGTH);
        }
        JsonNode pack;
        try {
            pack = MAPPER.readTree(cbor);
        } catch (JsonProcessingException e) {
            throw new SenmlException(-1, null, "not valid CBOR: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new SenmlException(-1, null, "not valid CBOR: " + e.getMessage(), e);
        }
        if (pack == null || pack.isMissingNode()) {
            throw new SenmlException(-1, null, "not valid CBOR: an empty document");
        }
        if (!pack.isArray()) {
            return JsonCodec.parse(pack); // refused there, with the JSON reader's message
        }
        ArrayNode json = JsonNodeFactory.instance.arrayNode(pack.size());
        for (int index = 0; index < pack.size(); index++) {
            JsonNode record = pack.get(index);
            json.add(record.isObject() ? toJsonLabels(index, (ObjectNode) record) : record);
        }
        return JsonCodec.parse(json);
    }

    /** The record with JSON labels, vd as base64url; unknown integer labels are left out, like unknown text ones. */
    private static ObjectNode toJsonLabels(int index, ObjectNode record) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> member : record.properties()) {
            String key = member.getKey();
            JsonNode value = member.getValue();
            Field field = integerLabel(key);
            if (field == null) {
                if (isInteger(key)) {
                    continue; // an integer label this reader does not know: not must-understand (those are text)
                }
                if (Field.byLabel(key) != null && LABELS.containsKey(Field.byLabel(key))) {
                    throw new SenmlException(
                            index,
                            key,
                            "a field of RFC 8428 has an integer label in CBOR (" + LABELS.get(Field.byLabel(key))
                                    + "), not the text '" + key + "'");
                }
                json.set(key, value);
            } else if (field == Field.VD) {
                if (!value.isBinary()) {
                    throw new SenmlException(
                            index,
                            "vd",
                            "expected a byte string, got "
                                    + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
                }
                try {
                    json.put("vd", Base64.getUrlEncoder().withoutPadding().encodeToString(value.binaryValue()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            } else {
                if (json.has(field.label())) {
                    throw new SenmlException(index, field.label(), "field given twice");
                }
                json.set(field.label(), value);
            }
        }
        return json;
    }

    private static Field integerLabel(String key) {
        return isInteger(key) ? BY_LABEL.get(Integer.parseInt(key)) : null;
    }

    private static boolean isInteger(String key) {
        return key.matches("-?\\d{1,9}");
    }

    // ---- writing

    static byte[] write(List<SenmlRecord> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CBORGenerator cbor = FACTORY.createGenerator(out)) {
            cbor.writeStartArray(records, records.size()); // definite lengths: shorter, and canonical
            for (int index = 0; index < records.size(); index++) {
                writeRecord(cbor, index, records.get(index));
            }
            cbor.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write CBOR to memory", e);
        }
        return out.toByteArray();
    }

    private static void writeRecord(CBORGenerator cbor, int index, SenmlRecord record) throws IOException {
        if (record == null) {
            throw new NullPointerException("record " + index + " is null");
        }
        int size = 0;
        for (Field field : Field.values()) {
            size += field.valueIn(record) == null ? 0 : 1;
        }
        cbor.writeStartObject(record, size);
        for (Field field : Field.values()) {
            Object value = field.valueIn(record);
            if (value == null) {
                continue;
            }
            Integer label = LABELS.get(field);
            if (label != null) {
                cbor.writeFieldId(label);
            } else {
                cbor.writeFieldName(field.label());
            }
            switch (field.type()) {
                case TEXT -> {
                    if (field == Field.VD) {
                        cbor.writeBinary(base64Url(index, (String) value));
                    } else {
                        cbor.writeString((String) value);
                    }
                }
                case NUMBER -> writeNumber(cbor, Numbers.requireFinite(index, field, (Double) value));
                case INTEGER -> cbor.writeNumber((Integer) value);
                case BOOLEAN -> cbor.writeBoolean((Boolean) value);
                default -> throw new IllegalStateException("unhandled field type " + field.type());
            }
        }
        cbor.writeEndObject();
    }

    /** An integral number as a CBOR integer (shorter), any other as a double, so that it reads back the same. */
    private static void writeNumber(CBORGenerator cbor, double number) throws IOException {
        if (number == Math.rint(number) && Math.abs(number) < 9.007199254740992E15 && !isNegativeZero(number)) {
            cbor.writeNumber((long) number);
        } else {
            cbor.writeNumber(number);
        }
    }

    private static boolean isNegativeZero(double number) {
        return number == 0 && Double.doubleToRawLongBits(number) != 0;
    }

    private static byte[] base64Url(int index, String data) {
        try {
            return Base64.getUrlDecoder().decode(data);
        } catch (IllegalArgumentException e) {
            throw new SenmlException(
                    index, "vd", "not base64url without padding (RFC 4648 section 5): " + Text.quote(data));
        }
    }
}
