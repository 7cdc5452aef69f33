package org.senproxy.transform;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import net.thisptr.jackson.jq.Expression;
import net.thisptr.jackson.jq.Function;
import net.thisptr.jackson.jq.PathOutput;
import net.thisptr.jackson.jq.Scope;
import net.thisptr.jackson.jq.Version;
import net.thisptr.jackson.jq.exception.JsonQueryException;
import net.thisptr.jackson.jq.path.Path;

/**
 * The jq function {@code daylength(zone)}: how many seconds the local day of a date lasts in the given time zone,
 * 86400 except on the days the clocks change (82800 or 90000 in Europe/Paris). Transforms use it as the duration
 * ({@code dur}) of a daily value: {@code dur: (.date | daylength("Europe/Paris"))}. The input is a date
 * ({@code "2023-04-01"}) or a date-time with its offset ({@code "2022-01-05T00:00:00.000+01:00"}, whose local date in
 * the zone is taken).
 */
public final class DayLengthFunction implements Function {

    /** The name under which camel-jq finds it in the registry: {@code daylength} with one argument. */
    public static final String NAME = "daylength/1";

    @Override
    public void apply(Scope scope, List<Expression> args, JsonNode in, Path path, PathOutput output, Version version)
            throws JsonQueryException {
        args.get(0).apply(scope, in, zone -> output.emit(seconds(in, zone), null));
    }

    private static JsonNode seconds(JsonNode in, JsonNode zone) throws JsonQueryException {
        if (!in.isTextual() || !zone.isTextual()) {
            throw new JsonQueryException("daylength: needs a date string and a zone name, got " + in.getNodeType()
                    + " and " + zone.getNodeType());
        }
        String text = in.asText().trim();
        try {
            ZoneId zoneId = ZoneId.of(zone.asText());
            LocalDate day = text.length() == 10
                    ? LocalDate.parse(text)
                    : OffsetDateTime.parse(text.replace(' ', 'T'))
                            .atZoneSameInstant(zoneId)
                            .toLocalDate();
            return LongNode.valueOf(ChronoUnit.SECONDS.between(
                    day.atStartOfDay(zoneId), day.plusDays(1).atStartOfDay(zoneId)));
        } catch (DateTimeException e) {
            throw new JsonQueryException(
                    "daylength: cannot read '" + text + "' in zone " + zone.asText() + ": " + e.getMessage());
        }
    }
}
