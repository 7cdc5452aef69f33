package org.senproxy.outbox;

import java.time.Instant;

import org.senproxy.consent.DataPeriod;
import org.senproxy.consent.Scope;

/**
 * One active row of the consumer table: records of a source whose name starts with {@code seriesPrefix}, is in the
 * scope of the consent the consumer sends under, and whose time is in that consent's data period, go to the app at
 * {@code recipientJid}, renamed from one name prefix to another when a mapping is set. {@code consentRef},
 * {@code scope} and {@code data} are null for a consumer without a consent (only when consents are not required).
 * {@code acknowledges} is false for a Quoalise client's subscription: its messages are done once written.
 */
public record Subscription(
        long consumerId,
        String recipientJid,
        String seriesPrefix,
        String renameFrom,
        String renameTo,
        String consentRef,
        Scope scope,
        DataPeriod data,
        boolean acknowledges) {

    public Subscription(long consumerId, String recipientJid, String seriesPrefix, String renameFrom, String renameTo) {
        this(consumerId, recipientJid, seriesPrefix, renameFrom, renameTo, null, null, null, true);
    }

    public boolean covers(String name) {
        return name.startsWith(seriesPrefix) && (scope == null || scope.covers(name));
    }

    /** Whether a record measured at {@code time} is in the consent's data period (always, without a consent). */
    public boolean coversTime(Instant time) {
        return data == null || data.covers(time);
    }

    /** The record's name as the recipient knows it. */
    public String rename(String name) {
        if (renameFrom != null && name.startsWith(renameFrom)) {
            return renameTo + name.substring(renameFrom.length());
        }
        return name;
    }
}
