package org.senproxy.transform;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import net.thisptr.jackson.jq.Expression;
import net.thisptr.jackson.jq.Function;
import net.thisptr.jackson.jq.PathOutput;
import net.thisptr.jackson.jq.Scope;
import net.thisptr.jackson.jq.Version;
import net.thisptr.jackson.jq.exception.JsonQueryException;
import net.thisptr.jackson.jq.path.Path;

/**
 * The jq function {@code localtime(zone)}: a local date-time without offset, as utilities write them
 * ({@code "2023-04-01 00:30:00"}, {@code "2023-04-01T00:30:00"} or a date alone, its midnight), read in the given
 * time zone ({@code "Europe/Paris"}), to seconds since the epoch. jq itself has no time-zone database, and a fixed
 * offset is wrong on the days the clocks change. A date-time that states its offset
 * ({@code "2022-01-05T00:30:00.000+01:00"}, as SGE writes them) is read as it says, whatever the zone. A local time that occurs twice (the autumn change) takes the
 * earlier offset; one that does not exist (the spring gap) is moved forward by the gap's length.
 * Transforms call it like any jq function: {@code .date | localtime("Europe/Paris")}.
 */
public final class LocalTimeFunction implements Function {

    /** The name under which camel-jq finds it in the registry: {@code localtime} with one argument. */
    public static final String NAME = "localtime/1";

    /** "Z", "+01:00" or "-05:00" after the time. */
    private static final Pattern OFFSET_AT_END = Pattern.compile("T.*(Z|[+-]\\d\\d:\\d\\d)$");

    @Override
    public void apply(Scope scope, List<Expression> args, JsonNode in, Path path, PathOutput output, Version version)
            throws JsonQueryException {
        args.get(0).apply(scope, in, zone -> output.emit(epochSeconds(in, zone), null));
    }

    private static JsonNode epochSeconds(JsonNode in, JsonNode zone) throws JsonQueryException {
        if (!in.isTextual() || !zone.isTextual()) {
            throw new JsonQueryException("localtime: needs a local date-time string and a zone name, got "
                    + in.getNodeType() + " and " + zone.getNodeType());
        }
        String text = in.asText().trim();
        try {
            ZonedDateTime zoned;
            if (OFFSET_AT_END.matcher(text).find()) {
                zoned = OffsetDateTime.parse(text.replace(' ', 'T')).toZonedDateTime();
            } else {
                LocalDateTime local = text.length() == 10
                        ? LocalDate.parse(text).atStartOfDay()
                        : LocalDateTime.parse(text.replace(' ', 'T'));
                zoned = ZonedDateTime.ofLocal(local, ZoneId.of(zone.asText()), null);
            }
            long seconds = zoned.toEpochSecond();
            int nanos = zoned.getNano();
            return nanos == 0 ? LongNode.valueOf(seconds) : DoubleNode.valueOf(seconds + nanos / 1e9);
        } catch (DateTimeException e) {
            throw new JsonQueryException(
                    "localtime: cannot read '" + text + "' in zone " + zone.asText() + ": " + e.getMessage());
        }
    }
}
