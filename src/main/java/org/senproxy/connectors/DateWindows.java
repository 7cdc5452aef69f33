package org.senproxy.connectors;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * The next window of whole days an API that serves past days should be asked for: from the watermark (the first
 * day not read yet) for at most {@code maxDays} days, ending before today (today is not over), in the utility's
 * time zone. Enedis DataConnect, for one, serves at most 7 days of load curve per call.
 */
public class DateWindows {

    private final Clock clock;

    public DateWindows(Clock clock) {
        this.clock = clock;
    }

    /**
     * @param since   the first day not read yet (ISO date); empty before the first poll, then the window starts
     *                {@code maxDays} days ago
     * @param zone    the time zone the API's days are in, e.g. Europe/Paris
     * @param maxDays the longest window the API serves in one call
     * @return {@code start} (first day, inclusive) and {@code end} (day after the last, exclusive) as ISO dates, or
     *         null when there is no whole day to read yet
     */
    public Map<String, String> next(String since, String zone, int maxDays) {
        if (maxDays < 1) {
            throw new IllegalArgumentException("maxDays must be at least 1, got " + maxDays);
        }
        LocalDate today = LocalDate.now(clock.withZone(ZoneId.of(zone)));
        LocalDate start;
        try {
            start = since == null || since.isBlank() ? today.minusDays(maxDays) : LocalDate.parse(since.trim());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not an ISO date (yyyy-MM-dd): '" + since + "'");
        }
        LocalDate end = start.plusDays(maxDays);
        if (end.isAfter(today)) {
            end = today;
        }
        if (!start.isBefore(end)) {
            return null;
        }
        return Map.of("start", start.toString(), "end", end.toString());
    }
}
