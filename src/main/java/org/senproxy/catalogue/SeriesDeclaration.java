package org.senproxy.catalogue;

import java.util.function.Function;

/**
 * One series a source connector yields, declared in the connector's own route file as a bean that Camel creates when
 * it loads the file:
 *
 * <pre>
 * - beans:
 *     - name: ecodevices-source.power
 *       type: org.senproxy.catalogue.SeriesDeclaration
 *       properties:
 *         connector: ecodevices-source
 *         identifier: "{{ecodevices.base-name}}consumption/power/apparent/raw"
 *         quantity: power
 *         unit: VA
 *         aggregate: instant
 *         sampling: "{{ecodevices.poll-interval-ms:60000}}"
 *         above: "{{ecodevices.power-above:}}"
 *         description: apparent power (PAPP)
 * </pre>
 *
 * Why a bean: Camel's YAML DSL has no free-form metadata on a route (a route takes {@code description} and
 * {@code note}, plain text whose placeholders Camel does not resolve, and refuses unknown keys), while a bean's
 * properties are checked (a misspelt one stops the start, naming the bean and the property) and their
 * {@code {{key:default}}} placeholders are resolved by Camel, exactly as the route's own. And the declaration exists
 * only when the connector's file is loaded, so the catalogue lists the connectors this proxy runs, no more. The values
 * are kept as text here and read by {@link Catalogue}, which names the bean when one is wrong.
 *
 * <p>Properties:
 * <ul>
 * <li>{@code connector}: the connector's route id (its file stem);</li>
 * <li>{@code identifier}: the records' SenML name, or a pattern where {@code *} stands for any text (zabbix items:
 * {@code {{zabbix.base-name}}*});</li>
 * <li>{@code quantity}, {@code unit} (SenML unit, none for a text series), {@code aggregate} ({@code instant}: a value
 * read at its time; {@code index}: a cumulative counter; {@code average}, {@code sum}, {@code maximum},
 * {@code minimum}: over the sampling interval, as Quoalise's {@code <aggregate type>}), {@code description};</li>
 * <li>{@code sampling}: the interval between two values (Quoalise's {@code <sampling interval>}), ISO 8601
 * ({@code PT30M}, {@code P1D}) or milliseconds, so that a {@code *-ms} setting fits; unset when unknown;</li>
 * <li>{@code period}: how often new values of the series reach the proxy at least (ISO 8601 or milliseconds). The
 * connector's period is the shortest of its series'; without any, its poll interval. The stale alarm counts in it;</li>
 * <li>{@code above}, {@code below}: threshold alarms on the series' values; empty for none;</li>
 * <li>{@code when}: {@code "<a> == <b>"}, for a series that only some settings yield: the declaration counts only when
 * both sides are equal once Camel has resolved their placeholders (e.g.
 * {@code "{{dataconnect.resource:consumption_load_curve}} == daily_consumption"}).</li>
 * <li>{@code like}: another declaration of the file, as a bean reference ({@code "#sge-source.pa"}, declared above
 * it): every property this one leaves unset is that one's, so a connector's series write only what is their own.</li>
 * </ul>
 */
public class SeriesDeclaration {

    private String connector;
    private String identifier;
    private String quantity;
    private String unit;
    private String aggregate;
    private String sampling;
    private String period;
    private String description;
    private String above;
    private String below;
    private String when;
    private SeriesDeclaration like;

    public String getConnector() {
        return inherited(connector, SeriesDeclaration::getConnector);
    }

    public void setConnector(String connector) {
        this.connector = connector;
    }

    public String getIdentifier() {
        return inherited(identifier, SeriesDeclaration::getIdentifier);
    }

    public void setIdentifier(String identifier) {
        this.identifier = identifier;
    }

    public String getQuantity() {
        return inherited(quantity, SeriesDeclaration::getQuantity);
    }

    public void setQuantity(String quantity) {
        this.quantity = quantity;
    }

    public String getUnit() {
        return inherited(unit, SeriesDeclaration::getUnit);
    }

    public void setUnit(String unit) {
        this.unit = unit;
    }

    public String getAggregate() {
        return inherited(aggregate, SeriesDeclaration::getAggregate);
    }

    public void setAggregate(String aggregate) {
        this.aggregate = aggregate;
    }

    public String getSampling() {
        return inherited(sampling, SeriesDeclaration::getSampling);
    }

    public void setSampling(String sampling) {
        this.sampling = sampling;
    }

    public String getPeriod() {
        return inherited(period, SeriesDeclaration::getPeriod);
    }

    public void setPeriod(String period) {
        this.period = period;
    }

    public String getDescription() {
        return inherited(description, SeriesDeclaration::getDescription);
    }

    public void setDescription(String description) {
        this.description = description;
    }

    public String getAbove() {
        return inherited(above, SeriesDeclaration::getAbove);
    }

    public void setAbove(String above) {
        this.above = above;
    }

    public String getBelow() {
        return inherited(below, SeriesDeclaration::getBelow);
    }

    public void setBelow(String below) {
        this.below = below;
    }

    public String getWhen() {
        return inherited(when, SeriesDeclaration::getWhen);
    }

    public void setWhen(String when) {
        this.when = when;
    }

    public SeriesDeclaration getLike() {
        return like;
    }

    public void setLike(SeriesDeclaration like) {
        this.like = like;
    }

    /** This declaration's own value, or, unset, that of the declaration it is {@code like}. */
    private String inherited(String own, Function<SeriesDeclaration, String> property) {
        return own != null || like == null ? own : property.apply(like);
    }
}
