package org.senproxy.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.senproxy.audit.AuditEvent;
import org.senproxy.audit.AuditTrail;
import org.senproxy.audit.Transfers;
import org.senproxy.consent.DataPeriod;
import org.senproxy.db.Sql;
import org.senproxy.db.Times;
import org.senproxy.senml.CanonicalRecords;
import org.senproxy.senml.Measurement;
import org.senproxy.senml.Senml;
import org.senproxy.senml.SenmlException;

/**
 * Rows queued before their consent's data period was narrowed keep only the records inside it: outbox-dispatch runs
 * this in its claim transaction, before it claims, on the due rows whose span of record times (first_at, last_at) is
 * not inside the period whole, and on rows from before the span was written. Each such row is
 * <ul>
 * <li>left as it is when all its records are inside (its span is written, so it is not read again);</li>
 * <li>trimmed to the records inside: new payload, record count, audit description and digest (the one the message is
 * signed with), audited as {@code transfer.narrowed} with the number of records withheld;</li>
 * <li>withheld whole ({@code revoked}, with the reason) when none is inside, audited as {@code transfer.withheld}.</li>
 * </ul>
 * A payload that is not SenML (a row written by hand) holds no record: it is left to be sent and refused by the
 * receiver for its content, a dead letter on both sides, as any such row.
 *
 * <p>No dead letter: a record outside a consent is not an error, it is not for that app. Its count goes to the metrics.
 */
final class QueuedTrim {

    private static final Sql OUTSIDE = Sql.of(QueuedTrim.class, "queued-outside");
    private static final Sql SPAN = Sql.of(QueuedTrim.class, "queued-span");
    private static final Sql TRIM = Sql.of(QueuedTrim.class, "queued-trim");
    private static final Sql WITHHOLD = Sql.of(QueuedTrim.class, "queued-withhold");

    private final String ownJid;

    QueuedTrim(String ownJid) {
        this.ownJid = ownJid;
    }

    /**
     * Trims the due rows that hold records outside their consent's data period, adding the audit entries to
     * {@code outcomes}.
     *
     * @return the records withheld
     */
    long trim(Connection c, List<AuditEvent> outcomes) throws SQLException {
        long withheldRecords = 0;
        List<Object[]> spans = new ArrayList<>();
        List<Object[]> trims = new ArrayList<>();
        List<Object[]> withholds = new ArrayList<>();
        try (PreparedStatement ps = OUTSIDE.prepare(c, OUTSIDE.params());
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long id = rs.getLong(1);
                String messageId = rs.getString(2);
                String recipient = rs.getString(3);
                String ref = rs.getString(4);
                String owner = rs.getString(8);
                DataPeriod period = new DataPeriod(Times.instant(rs, 6), Times.instant(rs, 7));
                List<Measurement> records;
                try {
                    records = Senml.resolve(Senml.parseJson(rs.getString(5)), 0);
                } catch (SenmlException e) {
                    // a row written by hand that is not SenML: it holds no record to send, in the period or not.
                    // It goes as it is, the receiver refuses it for its content, and both sides dead-letter it with
                    // the reason, as before there were data periods
                    continue;
                }
                List<Measurement> inside = new ArrayList<>(records.size());
                for (Measurement m : records) {
                    if (period.covers(m.instant())) {
                        inside.add(m);
                    }
                }
                int outside = records.size() - inside.size();
                withheldRecords += outside;
                String reason = outside + " record(s) measured outside consent " + ref + "'s data period " + period;
                if (inside.isEmpty()) {
                    withholds.add(new Object[] {reason, id});
                    outcomes.add(entry(
                            "transfer.withheld",
                            messageId,
                            recipient,
                            ref,
                            owner,
                            Transfers.describe(records),
                            reason));
                } else if (outside == 0) {
                    Instant[] span = OutboxRows.span(records);
                    spans.add(new Object[] {Times.utc(span[0]), Times.utc(span[1]), id});
                } else {
                    CanonicalRecords canonical = CanonicalRecords.of(inside);
                    Map<String, Object> description = Transfers.describe(inside, canonical.digest());
                    Instant[] span = OutboxRows.span(inside);
                    trims.add(new Object[] {
                        canonical.json(),
                        inside.size(),
                        AuditTrail.detailJson(description),
                        Times.utc(span[0]),
                        Times.utc(span[1]),
                        id
                    });
                    Map<String, Object> detail = new LinkedHashMap<>(description);
                    detail.put("records_withheld", outside);
                    outcomes.add(entry("transfer.narrowed", messageId, recipient, ref, owner, detail, reason));
                }
            }
        }
        SPAN.batch(
                c,
                spans,
                (row, p) -> p.set("first_at", row[0]).set("last_at", row[1]).set("id", row[2]));
        TRIM.batch(
                c,
                trims,
                (row, p) -> p.set("payload", row[0])
                        .set("record_count", row[1])
                        .set("transfer", row[2])
                        .set("first_at", row[3])
                        .set("last_at", row[4])
                        .set("id", row[5]));
        WITHHOLD.batch(c, withholds, (row, p) -> p.set("reason", row[0]).set("id", row[1]));
        return withheldRecords;
    }

    private AuditEvent entry(
            String kind,
            String messageId,
            String recipient,
            String ref,
            String owner,
            Map<String, Object> description,
            String reason) {
        return Outcomes.transfer(kind, ownJid, messageId, recipient, ref, owner, description, reason);
    }
}
