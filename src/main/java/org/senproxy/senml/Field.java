package org.senproxy.senml;

import java.util.HashMap;
import java.util.Map;

/**
 * The SenML fields of RFC 8428 (table 1), in the order this package writes them, and sen-proxy's one extension,
 * {@code dur}. The JSON member names and the XML attribute names are the labels.
 *
 * <p>{@code dur} (duration, seconds) says that the value covers the period [t, t + dur): a load-curve average, a
 * daily energy. RFC 8428 has no field for it; its label does not end with '_', so a receiver that does not know it
 * ignores it and still reads the record correctly (section 4.4).
 */
enum Field {
    BN("bn", Type.TEXT),
    BT("bt", Type.NUMBER),
    BU("bu", Type.TEXT),
    BV("bv", Type.NUMBER),
    BS("bs", Type.NUMBER),
    BVER("bver", Type.INTEGER),
    N("n", Type.TEXT),
    U("u", Type.TEXT),
    V("v", Type.NUMBER),
    VS("vs", Type.TEXT),
    VB("vb", Type.BOOLEAN),
    VD("vd", Type.TEXT),
    S("s", Type.NUMBER),
    T("t", Type.NUMBER),
    UT("ut", Type.NUMBER),
    DUR("dur", Type.NUMBER);

    /** The value type of a field, and the Java type that holds it. */
    enum Type {
        /** {@link String} */
        TEXT,
        /** {@link Double}, always finite */
        NUMBER,
        /** {@link Integer} */
        INTEGER,
        /** {@link Boolean} */
        BOOLEAN
    }

    private static final Map<String, Field> BY_LABEL = new HashMap<>();

    static {
        for (Field field : values()) {
            BY_LABEL.put(field.label, field);
        }
    }

    private final String label;
    private final Type type;

    Field(String label, Type type) {
        this.label = label;
        this.type = type;
    }

    String label() {
        return label;
    }

    Type type() {
        return type;
    }

    /** The field with this label, or {@code null} when the label is not a field of RFC 8428. */
    static Field byLabel(String label) {
        return BY_LABEL.get(label);
    }

    /**
     * Whether an unknown label must be understood (RFC 8428 section 4.4: it ends with '_'), so that the pack has to
     * be rejected rather than the field ignored.
     */
    static boolean mustUnderstand(String unknownLabel) {
        return unknownLabel.endsWith("_");
    }

    /** This field's value in the record, or {@code null} when the record does not have it. */
    Object valueIn(SenmlRecord record) {
        return switch (this) {
            case BN -> record.bn();
            case BT -> record.bt();
            case BU -> record.bu();
            case BV -> record.bv();
            case BS -> record.bs();
            case BVER -> record.bver();
            case N -> record.n();
            case U -> record.u();
            case V -> record.v();
            case VS -> record.vs();
            case VB -> record.vb();
            case VD -> record.vd();
            case S -> record.s();
            case T -> record.t();
            case UT -> record.ut();
            case DUR -> record.dur();
        };
    }
}
