package org.senproxy.senml;

import java.time.Instant;

/**
 * One resolved SenML record (RFC 8428 section 4.6): base fields applied, absolute name and time.
 *
 * <p>Exactly one of {@code value}, {@code stringValue}, {@code boolValue} and {@code dataValue} is set, or none of
 * them and then {@code sum} is set. {@link Senml#resolve(java.util.List, double)} produces only such measurements;
 * the constructor enforces it for measurements built elsewhere.
 *
 * @param name        full name (base name + name), never empty
 * @param unit        unit ({@code u}, or else the base unit), or {@code null}
 * @param time        absolute time in seconds since the Unix epoch
 * @param value       numeric value (base value included), or {@code null}
 * @param stringValue string value, or {@code null}
 * @param boolValue   boolean value, or {@code null}
 * @param dataValue   binary value as base64url without padding, or {@code null}
 * @param sum         sum (base sum included), or {@code null}
 * @param updateTime  update time in seconds, or {@code null}
 * @param duration    seconds covered by the value, from {@code time} (a period: a load-curve point, a day's
 *                    energy), or {@code null} for an instant's value
 */
public record Measurement(
        String name,
        String unit,
        double time,
        Double value,
        String stringValue,
        Boolean boolValue,
        String dataValue,
        Double sum,
        Double updateTime,
        Double duration) {

    /** A measurement of an instant (no duration). */
    public Measurement(
            String name,
            String unit,
            double time,
            Double value,
            String stringValue,
            Boolean boolValue,
            String dataValue,
            Double sum,
            Double updateTime) {
        this(name, unit, time, value, stringValue, boolValue, dataValue, sum, updateTime, null);
    }

    /**
     * @throws IllegalArgumentException when the name is missing, the time is not finite, or the value fields
     *                                  break the "exactly one value, or only a sum" rule, or the duration is not
     *                                  a positive finite number
     */
    public Measurement {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a measurement needs a name");
        }
        if (!Double.isFinite(time)) {
            throw new IllegalArgumentException("time must be finite, got " + time);
        }
        int values = count(value) + count(stringValue) + count(boolValue) + count(dataValue);
        if (values > 1 || (values == 0 && sum == null)) {
            throw new IllegalArgumentException("a measurement has exactly one value, or none and a sum");
        }
        if (duration != null && !(duration > 0 && Double.isFinite(duration))) {
            throw new IllegalArgumentException("a duration is a positive number of seconds, got " + duration);
        }
    }

    /** The time as an instant, to the microsecond ({@code Math.round(time * 1e6)} microseconds). */
    public Instant instant() {
        long micros = Math.round(time * 1e6);
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    private static int count(Object field) {
        return field == null ? 0 : 1;
    }
}
