package org.senproxy.senml;

/** How numbers are written, in JSON and in XML alike. */
final class Numbers {

    /** Integral values below this are written without fraction or exponent: all such longs are exact doubles. */
    private static final double PLAIN_INTEGER_LIMIT = 1e15;

    private Numbers() {}

    /**
     * The shortest text that reads back as the same double: integral values as plain integers
     * ({@code 1276020076}), others in Java's round-trip form with a lower-case exponent as RFC 8428 section 5 asks
     * ({@code 1.276020076001e9}, {@code 23.1}). The value must be finite.
     */
    static String format(double value) {
        boolean negativeZero = value == 0 && 1 / value < 0;
        if (value == Math.rint(value) && Math.abs(value) < PLAIN_INTEGER_LIMIT && !negativeZero) {
            return Long.toString((long) value);
        }
        return Double.toString(value).replace('E', 'e');
    }

    /** The value, if finite: neither JSON nor this package's XML reader carry NaN or infinities. */
    static double requireFinite(int recordIndex, Field field, double value) {
        if (!Double.isFinite(value)) {
            throw new SenmlException(
                    recordIndex, field.label(), "cannot write " + value + ": SenML numbers are finite");
        }
        return value;
    }
}
