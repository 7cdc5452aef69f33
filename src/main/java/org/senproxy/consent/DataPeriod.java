package org.senproxy.consent;

import java.time.Instant;

/**
 * The measurement times a consent covers: a record is sent under the consent only if its own time {@code t} is in
 * {@code [from, until)}. This is the consent's <em>data</em> period, apart from its <em>access</em> period (when the
 * receiving app may receive or ask): a data owner who consents to share "from 2020" means data measured from 2020,
 * whenever it is sent. {@code until} is null for an open end (up to the access end, which bounds sending anyway).
 */
public record DataPeriod(Instant from, Instant until) {

    public DataPeriod {
        if (from == null) {
            throw new IllegalArgumentException("a data period has a start");
        }
        if (until != null && !until.isAfter(from)) {
            throw new IllegalArgumentException("data-until " + until + " is not after data-from " + from);
        }
    }

    /** Whether a record measured at {@code time} is in the period. */
    public boolean covers(Instant time) {
        return !time.isBefore(from) && (until == null || time.isBefore(until));
    }

    /** {@code 2020-01-01T00:00:00Z .. 2030-01-01T00:00:00Z}, or {@code .. (open)} for an open end. */
    public String text() {
        return from + " .. " + (until == null ? "(open)" : until.toString());
    }

    @Override
    public String toString() {
        return text();
    }
}
