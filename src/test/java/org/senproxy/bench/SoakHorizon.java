package org.senproxy.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;

/**
 * The soak's steady state (issue 22). A proxy that has run for longer than {@code senproxy.retention.done-days} deletes
 * each minute about as many finished outbox and inbox rows as it adds: the rows that finished done-days before. A soak
 * of one hour on fresh databases never gets there, since nothing it writes is old enough. So, after the soak's second
 * minute (the first has the proxies' warm-up), {@link #fill} puts in the band that the retention's horizon
 * (now - done-days) crosses during the soak copies of that minute's own finished rows, shifted back by done-days minute after minute: the density, the row sizes and
 * the mix of the real flow, as a proxy running for a week would hold them. Then the finished tables' size must level
 * off, which {@link #sizes} measures each minute, beside what grows by design: {@code source_record} until its day is
 * dropped ({@code senproxy.retention.keys-days}), the audit trail (kept for ever by default,
 * {@code senproxy.audit.retention-days} 0) and B's sink table (the local system's).
 */
final class SoakHorizon {

    private SoakHorizon() {}

    /** What the soak watches each minute, both databases together. */
    record Sizes(long finishedBytes, long outboxRows, long inboxRows, long keysBytes, long auditBytes, long sinkBytes) {

        static String csvHeader() {
            return "outbox_inbox_mib,outbox_rows,inbox_rows,source_record_mib,audit_mib,sink_mib";
        }

        String csv() {
            return String.format(
                    "%d,%d,%d,%d,%d,%d",
                    finishedBytes >> 20, outboxRows, inboxRows, keysBytes >> 20, auditBytes >> 20, sinkBytes >> 20);
        }
    }

    /**
     * Copies of the outbox rows of A acknowledged in [from, to) and of the inbox rows of B delivered in it, shifted to
     * finish {@code doneDays} earlier, then again one window later, and so on until {@code seconds} after
     * {@code from}: the band the horizon crosses during a soak of that length. Returns a report line.
     */
    static String fill(String dbA, String dbB, Instant from, Instant to, int doneDays, int seconds) throws Exception {
        long t0 = System.nanoTime();
        Duration window = Duration.between(from, to);
        int copies = (int) (seconds / Math.max(1, window.toSeconds())) + 2;
        long outbox = copy(
                dbA,
                "outbox",
                "INSERT INTO outbox (message_id, correlation_id, consumer_id, recipient_jid, payload, record_count,"
                        + " status, attempts, next_attempt_at, created_at, sent_at, acked_at, consent_ref, ack_required,"
                        + " transfer, first_at, last_at)"
                        + " SELECT gen_random_uuid(), 'bench-soak-horizon', consumer_id, recipient_jid, payload,"
                        + " record_count, status, attempts, next_attempt_at - s.shift, created_at - s.shift,"
                        + " sent_at - s.shift, acked_at - s.shift, consent_ref, ack_required, transfer, first_at, last_at"
                        + " FROM outbox o, " + shifts(doneDays, window, copies)
                        + " WHERE o.status = 'acked' AND o.acked_at >= ? AND o.acked_at < ?",
                from,
                to);
        long inbox = copy(
                dbB,
                "inbox",
                "INSERT INTO inbox (sender_jid, message_id, correlation_id, format_version, payload, record_count,"
                        + " status, attempts, next_attempt_at, received_at, delivered_at)"
                        + " SELECT sender_jid, 'bench-soak-horizon-' || s.g || '-' || i.message_id, 'bench-soak-horizon',"
                        + " format_version, payload, record_count, status, attempts, next_attempt_at - s.shift,"
                        + " received_at - s.shift, delivered_at - s.shift"
                        + " FROM inbox i, " + shifts(doneDays, window, copies)
                        + " WHERE i.status = 'delivered' AND i.delivered_at >= ? AND i.delivered_at < ?",
                from,
                to);
        return String.format(
                "- the horizon's band filled: the finished rows of one minute (%s to %s) copied %d times,"
                        + " done-days (%d) earlier and a minute apart: %,d outbox rows in A, %,d inbox rows in B, in"
                        + " %.1f s; from there on, each retention run meets the rows a proxy running for longer than"
                        + " done-days would delete",
                from, to, copies, doneDays, outbox, inbox, (System.nanoTime() - t0) / 1e9);
    }

    /** copy g (0, 1, ...) moves a row back by done-days less g windows */
    private static String shifts(int doneDays, Duration window, int copies) {
        return "(SELECT g, make_interval(days => " + doneDays + ") - g * make_interval(secs => " + window.toMillis()
                + " / 1000.0) AS shift FROM generate_series(0, " + (copies - 1) + ") g) s";
    }

    /** Runs {@code insert} with the minute's bounds, then ANALYZE of the one table it filled. */
    private static long copy(String url, String table, String insert, Instant from, Instant to) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
                PreparedStatement ps = c.prepareStatement(insert);
                Statement s = c.createStatement()) {
            ps.setTimestamp(1, Timestamp.from(from));
            ps.setTimestamp(2, Timestamp.from(to));
            int rows = ps.executeUpdate();
            s.execute("ANALYZE " + table);
            return rows;
        }
    }

    /** The sizes on disk (tables, their indexes and TOAST) and the finished tables' row counts, of A and B together. */
    static Sizes sizes(String dbA, String dbB) throws Exception {
        long[] a = sizes(dbA);
        long[] b = sizes(dbB);
        return new Sizes(a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3], a[4] + b[4], a[5] + b[5]);
    }

    private static long[] sizes(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_total_relation_size('outbox')"
                        + " + pg_total_relation_size('inbox'),"
                        + " (SELECT count(*) FROM outbox), (SELECT count(*) FROM inbox),"
                        + " (SELECT coalesce(sum(pg_total_relation_size(inhrelid)), 0) FROM pg_inherits"
                        + "   WHERE inhparent = 'source_record'::regclass),"
                        + " pg_total_relation_size('audit_log'),"
                        + " coalesce(pg_total_relation_size(to_regclass('measurement')), 0)")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6)
            };
        }
    }
}
