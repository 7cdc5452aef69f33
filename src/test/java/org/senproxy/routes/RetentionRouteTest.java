package org.senproxy.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import ch.qos.logback.classic.Level;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.senproxy.delivery.Retention;
import org.senproxy.observe.ConnectorMetrics;
import org.senproxy.testing.LogCapture;
import org.senproxy.testing.RouteHarness;

/**
 * routes/retention.camel.yaml: finished rows old enough are deleted in batches, on a real database holding rows of
 * every status and age; nothing still to do, dead, or open is touched.
 */
class RetentionRouteTest {

    private RouteHarness harness;
    private LogCapture log;

    @BeforeEach
    void start() throws Exception {
        // batches of 3 rows, so that the larger sets below take several statements
        harness = new RouteHarness(Map.of("senproxy.retention.batch-size", "3"), "retention.camel.yaml");
        harness.replaceFrom("retention", "direct:retention");
        harness.sql("INSERT INTO app (name, jid) VALUES ('b', 'proxy-b@localhost')");
        harness.sql("INSERT INTO consumer (source, app_id) SELECT 'test-source', id FROM app");
        log = new LogCapture("retention");
        harness.start();
    }

    @AfterEach
    void stop() {
        log.close();
        harness.close();
    }

    /** {@code rows} outbox rows with this status, created 30 days ago, acked (if acked) {@code ackedDaysAgo} ago. */
    private void outbox(int rows, String status, int ackedDaysAgo) throws Exception {
        harness.sql("INSERT INTO outbox (message_id, correlation_id, consumer_id, recipient_jid, payload, record_count,"
                + " status, attempts, created_at, sent_at, acked_at)"
                + " SELECT gen_random_uuid(), 'c', (SELECT id FROM consumer), 'proxy-b@localhost', '[]', 1, '" + status
                + "', 1, now() - interval '30 days', now() - interval '30 days',"
                + (status.equals("acked") ? " now() - interval '" + ackedDaysAgo + " days'" : " NULL")
                + " FROM generate_series(1, " + rows + ")");
    }

    /** {@code rows} inbox rows with this status, received 30 days ago, delivered (if so) {@code daysAgo} ago. */
    private void inbox(int rows, String status, int deliveredDaysAgo) throws Exception {
        harness.sql("INSERT INTO inbox (sender_jid, message_id, correlation_id, format_version, payload, record_count,"
                + " status, received_at, delivered_at)"
                + " SELECT 'proxy-b@localhost', gen_random_uuid()::text, 'c', 1, '[]', 1, '" + status + "',"
                + " now() - interval '30 days',"
                + (status.equals("delivered") ? " now() - interval '" + deliveredDaysAgo + " days'" : " NULL")
                + " FROM generate_series(1, " + rows + ")");
    }

    private void keys(int rows, int takenDaysAgo) throws Exception {
        harness.sql("INSERT INTO source_record (source, name, time_us, taken_at)"
                + " SELECT 'test-source', 'urn:dev:x:1_power', " + takenDaysAgo + " * 1000000000::bigint + g,"
                + " now() - interval '" + takenDaysAgo + " days' FROM generate_series(1, " + rows + ") g");
    }

    private void control(String direction, String status, int writtenDaysAgo) throws Exception {
        harness.sql("INSERT INTO control_message (direction, peer_jid, message_id, type, payload, status, created_at)"
                + " VALUES ('" + direction + "', 'p@x', gen_random_uuid()::text, 'enroll-request', '{}', '" + status
                + "', now() - interval '" + writtenDaysAgo + " days')");
    }

    private void deadLetter(String origin, int createdDaysAgo, Integer replayedDaysAgo) throws Exception {
        harness.sql("INSERT INTO dead_letter (origin, route_id, reason, created_at, replayed_at) VALUES ('" + origin
                + "', 'test', 'why', now() - interval '" + createdDaysAgo + " days', "
                + (replayedDaysAgo == null ? "NULL" : "now() - interval '" + replayedDaysAgo + " days'") + ")");
    }

    private long count(String table, String where) throws Exception {
        return harness.count("SELECT count(*) FROM " + table + " WHERE " + where);
    }

    private double deleted(String table) {
        var counter = harness.context
                .getRegistry()
                .lookupByNameAndType("connectorMetrics", ConnectorMetrics.class)
                .registry()
                .find("senproxy.retention.deleted")
                .tag("table", table)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void deletesFinishedRowsOlderThanTheirRetentionAndNothingElse() throws Exception {
        outbox(7, "acked", 8); // deleted: acknowledged 8 days ago (3 statements of 3 rows at most)
        outbox(2, "acked", 6); // kept: acknowledged 6 days ago
        outbox(1, "pending", 0); // kept, however old: still to send
        outbox(1, "sent", 0); // kept: waiting for its ack
        outbox(1, "dead", 0); // kept: an open dead letter's row
        outbox(1, "revoked", 0); // deleted: withheld (its consent ended), written 30 days ago
        inbox(4, "delivered", 8); // deleted
        inbox(1, "delivered", 6); // kept
        inbox(1, "pending", 0); // kept: still to deliver
        inbox(1, "dead", 0); // kept
        keys(5, 36); // deleted: taken 36 days ago
        keys(2, 34); // kept
        deadLetter("outbox", 200, null); // kept: open, however old
        deadLetter("inbound", 200, null); // kept: open
        deadLetter("outbox", 200, 91); // deleted: replayed 91 days ago
        deadLetter("inbox", 200, 89); // kept: replayed 89 days ago
        deadLetter("outbox", 200, 10); // kept: created long ago, replayed 10 days ago
        control("out", "acked", 8); // deleted
        control("in", "rejected", 8); // deleted
        control("in", "accepted", 6); // kept
        control("out", "sent", 200); // kept: waiting for its ack
        control("out", "dead", 89); // kept: dead, as long as a dead letter
        control("out", "dead", 91); // deleted

        harness.template().sendBody("direct:retention", null);

        assertThat(count("outbox", "status = 'acked'")).isEqualTo(2);
        assertThat(count("outbox", "acked_at > now() - interval '7 days'")).isEqualTo(2);
        assertThat(count("outbox", "status IN ('pending', 'sent', 'dead')")).isEqualTo(3);
        assertThat(count("inbox", "status = 'delivered'")).isEqualTo(1);
        assertThat(count("inbox", "status IN ('pending', 'dead')")).isEqualTo(2);
        assertThat(count("source_record", "true")).isEqualTo(2);
        assertThat(count("source_record", "taken_at > now() - interval '35 days'"))
                .isEqualTo(2);
        assertThat(count("dead_letter", "replayed_at IS NULL")).isEqualTo(2);
        assertThat(count("dead_letter", "replayed_at IS NOT NULL")).isEqualTo(2);
        assertThat(count("dead_letter", "replayed_at < now() - interval '90 days'"))
                .isZero();

        assertThat(log.messages(Level.INFO))
                .isEqualTo(
                        "Retention deleted 8 outbox row(s), 4 inbox row(s), 5 source record key(s), 1 dead letter(s), 3"
                                + " control message(s)");
        assertThat(count("control_message", "true")).isEqualTo(3);
        assertThat(deleted("control_message")).isEqualTo(3);
        assertThat(deleted("outbox")).isEqualTo(8);
        assertThat(deleted("inbox")).isEqualTo(4);
        assertThat(deleted("source_record")).isEqualTo(5);
        assertThat(deleted("dead_letter")).isEqualTo(1);

        // the next run finds nothing to delete: no line, counters unchanged
        harness.template().sendBody("direct:retention", null);
        assertThat(log.messages(Level.INFO).lines()).hasSize(1);
        assertThat(deleted("outbox")).isEqualTo(8);
        assertThat(count("outbox", "true")).isEqualTo(5);
    }

    @Test
    void exactlyABatchIsDeletedAndTheNextEmptyBatchEndsTheRun() throws Exception {
        outbox(6, "acked", 8);
        harness.template().sendBody("direct:retention", null);
        assertThat(count("outbox", "true")).isZero();
        assertThat(deleted("outbox")).isEqualTo(6);
    }

    @Test
    void aRetentionUnderADayIsRefused() {
        assertThatThrownBy(() -> new Retention(null, SimpleMeterRegistry::new, 0, 35, 90, 10_000))
                .hasMessageContaining("senproxy.retention.done-days");
        assertThatThrownBy(() -> new Retention(null, SimpleMeterRegistry::new, 7, 35, 90, 0))
                .hasMessageContaining("senproxy.retention.batch-size");
    }
}
