package org.senproxy.cli;

import java.time.Instant;

import picocli.CommandLine.Option;

/**
 * What a consent covers (picocli mixin), the same for {@code consents grant} and {@code consents request}: whose data,
 * which series, the access period and the data period.
 */
public final class ConsentTerms {

    @Option(names = "--user", required = true, description = "the data owner's external id (created if new)")
    String user;

    @Option(
            names = "--scope",
            required = true,
            description = "the series: patterns with *, comma separated, e.g. 'urn:dev:mac:0004a3_*'")
    String scope;

    @Option(names = "--from", description = "ISO 8601 instant the access starts (default: now)")
    Instant from;

    @Option(names = "--until", required = true, description = "ISO 8601 instant the access ends")
    Instant until;

    @Option(
            names = "--data-from",
            description = "ISO 8601 instant: the earliest measurement time covered (default: the access start, --from)")
    Instant dataFrom;

    @Option(
            names = "--data-until",
            description = "ISO 8601 instant: measurements from then on are not covered (default: open, up to the"
                    + " access end)")
    Instant dataUntil;
}
