package org.senproxy.catalogue;

/**
 * One series this proxy serves, as its connector declares it ({@link SeriesDeclaration}).
 *
 * @param identifier      the records' SenML name, or a pattern where {@code *} stands for any text
 * @param connector       the connector (route id) that yields it
 * @param quantity        what is measured ({@code power}, {@code energy}, {@code volume}...)
 * @param unit            its SenML unit, or {@code null} for a text series
 * @param aggregate       {@code instant}, {@code index}, {@code average}, {@code sum}, {@code maximum}...
 * @param samplingSeconds seconds between two values, or {@code null} when the connector does not know
 * @param description     for people
 */
public record Series(
        String identifier,
        String connector,
        String quantity,
        String unit,
        String aggregate,
        Long samplingSeconds,
        String description) {

    /** The identifier is a pattern ({@code *} in it) rather than one record name. */
    public boolean isPattern() {
        return identifier.indexOf('*') >= 0;
    }
}
