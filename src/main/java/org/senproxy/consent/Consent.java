package org.senproxy.consent;

import java.time.Instant;
import java.util.List;

/**
 * A consent as listed: who granted which app access to which series, for when (the access period, {@code validFrom}
 * .. {@code validUntil}), for which measurement times (the data period, {@code data}), and whether it still holds.
 */
public record Consent(
        String ref,
        String user,
        String app,
        String appJid,
        String scope,
        Instant validFrom,
        Instant validUntil,
        DataPeriod data,
        String grantedBy,
        Instant revokedAt,
        String revokedBy,
        String revokeReason,
        List<String> sources) {

    /** {@code valid}, {@code revoked}, {@code expired} or {@code not yet valid}, at {@code now}. */
    public String state(Instant now) {
        if (revokedAt != null) {
            return "revoked";
        }
        if (!now.isBefore(validUntil)) {
            return "expired";
        }
        return now.isBefore(validFrom) ? "not yet valid" : "valid";
    }
}
