package org.senproxy.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.senproxy.audit.AuditTrail;
import org.senproxy.audit.Transfers;
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

    private static final String INSERT = "INSERT INTO outbox (message_id, correlation_id, consumer_id, recipient_jid,"
            + " payload, record_count, consent_ref, ack_required, transfer, first_at, last_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private OutboxRows() {
    }

    static void insert(Connection c, List<OutboxEntry> entries, String correlationId) throws SQLException {
        if (entries.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (OutboxEntry e : entries) {
                CanonicalRecords canonical = CanonicalRecords.of(e.records());
                Subscription s = e.subscription();
                ps.setObject(1, e.messageId());
                ps.setString(2, correlationId);
                ps.setLong(3, s.consumerId());
                ps.setString(4, s.recipientJid());
                ps.setString(5, canonical.json());
                ps.setInt(6, e.records().size());
                ps.setObject(7, s.consentRef() == null ? null : UUID.fromString(s.consentRef()));
                ps.setBoolean(8, s.acknowledges());
                ps.setString(9, AuditTrail.detailJson(Transfers.describe(e.records(), canonical.digest())));
                Instant[] span = span(e.records());
                ps.setObject(10, Times.utc(span[0]));
                ps.setObject(11, Times.utc(span[1]));
                ps.addBatch();
            }
            ps.executeBatch();
        }
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
