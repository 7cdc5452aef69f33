package org.senproxy.senml;

/** Collects the fields of one record while a parser reads them, then builds the {@link SenmlRecord}. */
final class RecordBuilder {

    private final Object[] values = new Object[Field.values().length];

    /** Sets a field; the value's Java type must match {@link Field#type()}. */
    void set(Field field, Object value) {
        values[field.ordinal()] = value;
    }

    SenmlRecord build() {
        return new SenmlRecord(
                text(Field.BN),
                number(Field.BT),
                text(Field.BU),
                number(Field.BV),
                number(Field.BS),
                (Integer) values[Field.BVER.ordinal()],
                text(Field.N),
                text(Field.U),
                number(Field.V),
                text(Field.VS),
                (Boolean) values[Field.VB.ordinal()],
                text(Field.VD),
                number(Field.S),
                number(Field.T),
                number(Field.UT),
                number(Field.DUR));
    }

    private String text(Field field) {
        return (String) values[field.ordinal()];
    }

    private Double number(Field field) {
        return (Double) values[field.ordinal()];
    }
}
