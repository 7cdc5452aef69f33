package org.senproxy.outbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.senproxy.audit.AuditTrail;
import org.senproxy.audit.Transfers;
import org.senproxy.db.Sql;
import org.senproxy.db.Times;
import org.senproxy.senml.CanonicalRecords;
import org.senproxy.senml.Measurement;

/**
 * Writes outbox rows, one batch per call: for outbox-append (a poll's records) and for {@link CatchUp} (records a
 * consumer missed while it could not take them). Each row keeps its records' canonical JSON as its payload, the
 * audit description of the transfer with the digest that outbox-dispatch signs, and the span of its records' times,
 * which {@link QueuedTrim} compares with the consent's data period.
 */
final class OutboxRows {

    private static final Sql INSERT = Sql.of(OutboxRows.class, "insert-rows");

    private OutboxRows() {}

    static void insert(Connection c, List<OutboxEntry> entries, String correlationId) throws SQLException {
        INSERT.batch(c, entries, (e, p) -> {
            CanonicalRecords canonical = CanonicalRecords.of(e.records());
            Subscription s = e.subscription();
            Instant[] span = span(e.records());
            p.set("message_id", e.messageId())
                    .text("correlation_id", correlationId)
                    .set("consumer_id", s.consumerId())
                    .text("recipient_jid", s.recipientJid())
                    .text("payload", canonical.json())
                    .set("record_count", e.records().size())
                    .set("consent_ref", s.consentRef() == null ? null : UUID.fromString(s.consentRef()))
                    .set("ack_required", s.acknowledges())
                    .text("transfer", AuditTrail.detailJson(Transfers.describe(e.records(), canonical.digest())))
                    .set("first_at", Times.utc(span[0]))
                    .set("last_at", Times.utc(span[1]));
        });
    }

    /** The earliest and the latest time of some records (not empty). */
    static Instant[] span(List<Measurement> records) {
        Instant first = null;
        Instant last = null;
        for (Measurement m : records) {
            Instant t = m.instant();
            if (first == null || t.isBefore(first)) {
                first = t;
            }
            if (last == null || t.isAfter(last)) {
                last = t;
            }
        }
        return new Instant[] {first, last};
    }
}
