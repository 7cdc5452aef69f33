package org.senproxy.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.senproxy.senml.Measurement;
import org.senproxy.senml.Senml;
import org.senproxy.testing.LocalFederation;

/**
 * The federation loop end to end, on a real XMPP server and a real PostgreSQL: proxy A polls an Eco-devices
 * stand-in, sends over XMPP, proxy B stores into its measurement table. Checks are cumulative over the
 * whole class: every frame the stand-in ever served must be in B's sink exactly once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FederationLoopIT {

    private static final int RECORDS_PER_FRAME = 5;
    private static final int RECORDS = Integer.getInteger("senproxy.it.records", 1000);

    private static LocalFederation federation;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> tuning = new HashMap<>();
        tuning.put("ecodevices.poll-interval-ms", "5");
        tuning.put("senproxy.outbox.poll-interval-ms", "100");
        tuning.put("senproxy.outbox.ack-timeout-ms", "3000");
        tuning.put("senproxy.outbox.retry-first-ms", "200");
        tuning.put("senproxy.outbox.max-backoff-ms", "3000");
        tuning.put("senproxy.outbox.max-attempts", "50");
        tuning.put("senproxy.inbox.poll-interval-ms", "200");
        tuning.put("senproxy.inbox.retry-first-ms", "100");
        tuning.put("senproxy.inbox.max-backoff-ms", "500");
        tuning.put("senproxy.inbox.max-attempts", "3");
        tuning.put("senproxy.xmpp.reconnect-delay-s", "1");
        federation = LocalFederation.start(tuning);
    }

    @AfterAll
    static void stop() throws Exception {
        if (federation != null) {
            federation.close();
        }
    }

    @Test
    @Order(1)
    void deliversEveryPolledRecordExactlyOnce() throws Exception {
        long started = System.nanoTime();
        pollFrames(RECORDS / RECORDS_PER_FRAME);
        awaitDrained();
        double seconds = (System.nanoTime() - started) / 1e9;
        assertExactlyOnce();
        System.out.printf(
                "FEDERATION %d records from A to B in %.1f s (%.0f records/s, polling included)%n",
                sinkCount(), seconds, sinkCount() / seconds);

        // the metrics count what happened: every poll, every record in and out
        int polls = federation.ecodevices.served().size();
        assertThat(federation.metric(
                        LocalFederation.A,
                        "senproxy_source_polls_total{connector=\"ecodevices-source\",outcome=\"ok\"}"))
                .isEqualTo(polls);
        assertThat(federation.metric(
                        LocalFederation.A, "senproxy_source_records_total{connector=\"ecodevices-source\"}"))
                .isEqualTo(polls * RECORDS_PER_FRAME);
        assertThat(federation.metric(LocalFederation.B, "senproxy_sink_records_total{sink=\"postgres-sink\"}"))
                .isEqualTo(polls * RECORDS_PER_FRAME);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(federation.metric(LocalFederation.A, "senproxy_outbox_acks_pending"))
                    .isZero();
            assertThat(federation.metric(LocalFederation.A, "senproxy_outbox_rows{status=\"pending\"}"))
                    .isZero();
            assertThat(federation.metric(LocalFederation.B, "senproxy_inbox_rows{status=\"pending\"}"))
                    .isZero();
        });
    }

    @Test
    @Order(2)
    void survivesAnXmppServerOutage() throws Exception {
        int before = federation.ecodevices.served().size();
        federation.polling(true);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> federation.ecodevices.served().size() >= before + 50);
        assertThat(federation.readiness(LocalFederation.A)).isEqualTo(200);
        federation.xmpp.stop();
        Instant down = Instant.now();
        // not ready while the session is down, alive all the same
        await().atMost(Duration.ofSeconds(30))
                .until(() -> federation.readiness(LocalFederation.A) == 503
                        && federation.readiness(LocalFederation.B) == 503);
        assertThat(federation.metric(LocalFederation.A, "senproxy_xmpp_connected"))
                .isZero();
        await().atMost(Duration.ofSeconds(60))
                .until(() -> federation.ecodevices.served().size() >= before + 150);
        federation.xmpp.start();
        await().atMost(Duration.ofSeconds(60))
                .until(() -> federation.readiness(LocalFederation.A) == 200
                        && federation.readiness(LocalFederation.B) == 200);
        System.out.printf(
                "FEDERATION XMPP server was down %d ms%n",
                Duration.between(down, Instant.now()).toMillis());
        await().atMost(Duration.ofSeconds(60))
                .until(() -> federation.ecodevices.served().size() >= before + 250);
        federation.polling(false);
        Instant restarted = Instant.now();
        awaitDrained();
        System.out.printf(
                "FEDERATION drained %d ms after the restart; %d outbox rows were sent more than once%n",
                Duration.between(restarted, Instant.now()).toMillis(),
                federation.count(federation.databaseA, "SELECT count(*) FROM outbox WHERE attempts > 1"));
        assertExactlyOnce();
        // nothing is acknowledged that B did not store
        assertThat(federation.count(federation.databaseA, "SELECT count(*) FROM outbox WHERE status <> 'acked'"))
                .isZero();
        assertThat(messageIds(federation.databaseA, "SELECT message_id::text FROM outbox"))
                .containsExactlyInAnyOrderElementsOf(messageIds(
                        federation.databaseB, "SELECT message_id FROM inbox WHERE sender_jid = 'proxy-a@localhost'"));
    }

    @Test
    @Order(3)
    void aMessageTheReceiverRefusesBecomesADeadLetterOnBothSides() throws Exception {
        // A record name that SenML forbids: B must refuse the whole message and say why.
        String messageId = UUID.randomUUID().toString();
        insertOutboxRow(messageId, "[{\"n\":\"bad name!\",\"u\":\"W\",\"t\":1700000000,\"v\":1}]");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> federation.count(
                                federation.databaseA,
                                "SELECT count(*) FROM outbox WHERE status = 'dead' AND message_id = '" + messageId
                                        + "'")
                        == 1);
        String reasonAtA =
                text(federation.databaseA, "SELECT reason FROM dead_letter WHERE message_id = '" + messageId + "'");
        String reasonAtB = text(
                federation.databaseB,
                "SELECT reason FROM dead_letter WHERE origin = 'inbound' AND message_id = '" + messageId + "'");
        assertThat(reasonAtB).contains("invalid SenML").contains("record 0").contains("'n'");
        assertThat(reasonAtA).startsWith("rejected by proxy-b@localhost: invalid SenML");
        assertThat(federation.count(
                        federation.databaseB, "SELECT count(*) FROM inbox WHERE message_id = '" + messageId + "'"))
                .isZero();
        // and the flow goes on
        pollFrames(10);
        awaitDrained();
        assertExactlyOnce();
    }

    @Test
    @Order(4)
    void aRecordTheSinkKeepsRefusingBecomesADeadLetterAndTheRestFlows() throws Exception {
        try (Connection c = DriverManager.getConnection(federation.databaseB, "postgres", "")) {
            c.createStatement()
                    .execute("ALTER TABLE measurement ADD CONSTRAINT no_poison CHECK (name NOT LIKE '%poison%')");
        }
        String messageId = UUID.randomUUID().toString();
        // a series of the meter, so within the consent's scope: B takes the message, its sink refuses the record
        insertOutboxRow(
                messageId,
                "[{\"n\":\"" + LocalFederation.METER + "poison_power\",\"u\":\"W\"," + "\"t\":1700000000,\"v\":1}]");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> federation.count(
                                federation.databaseB,
                                "SELECT count(*) FROM inbox WHERE status = 'dead' AND message_id = '" + messageId + "'")
                        == 1);
        String reason = text(
                federation.databaseB,
                "SELECT reason FROM dead_letter WHERE origin = 'inbox' AND message_id = '" + messageId + "'");
        assertThat(reason).startsWith("not delivered after 3 attempts").contains("no_poison");
        // the sender's row is acknowledged: B has it, durably, in its dead letters
        assertThat(federation.count(
                        federation.databaseA,
                        "SELECT count(*) FROM outbox WHERE status = 'acked' AND message_id = '" + messageId + "'"))
                .isOne();
        pollFrames(10);
        awaitDrained();
        assertExactlyOnce();
    }

    // ---- helpers

    private static void pollFrames(int frames) throws Exception {
        int target = federation.ecodevices.served().size() + frames;
        federation.polling(true);
        await().atMost(Duration.ofSeconds(120))
                .until(() -> federation.ecodevices.served().size() >= target);
        federation.polling(false);
    }

    private static void awaitDrained() {
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> sinkCount()
                                >= (long) federation.ecodevices.served().size() * RECORDS_PER_FRAME
                        && federation.count(
                                        federation.databaseA,
                                        "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sent')")
                                == 0
                        && federation.count(federation.databaseB, "SELECT count(*) FROM inbox WHERE status = 'pending'")
                                == 0);
    }

    private static long sinkCount() throws Exception {
        return federation.count(
                federation.databaseB,
                "SELECT count(*) FROM measurement WHERE name LIKE '" + LocalFederation.METER + "%'");
    }

    /** Every served frame is in B's sink exactly once, with what A sent: names, units, times and values. */
    private static void assertExactlyOnce() throws Exception {
        List<ObjectNode> served = federation.ecodevices.served();
        List<String> expectedIndexes = new ArrayList<>();
        for (ObjectNode frame : served) {
            expectedIndexes.add(Double.toString(frame.get("T1_BASE").asDouble()));
        }
        List<String> indexes = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(federation.databaseB, "postgres", "");
                PreparedStatement ps = c.prepareStatement("SELECT value FROM measurement WHERE name = ?")) {
            ps.setString(1, LocalFederation.METER + "consumption/energy/active/index");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    indexes.add(Double.toString(rs.getDouble(1)));
                }
            }
        }
        assertThat(indexes)
                .as("energy index readings in B's sink")
                .containsExactlyInAnyOrderElementsOf(expectedIndexes);
        assertThat(sinkCount()).isEqualTo((long) served.size() * RECORDS_PER_FRAME);
        assertThat(sentRecords())
                .as("records in B's sink vs records A sent")
                .containsExactlyInAnyOrderElementsOf(sinkRecords());
    }

    /** The records of A's outbox, as strings "name|unit|epoch micros|value". */
    private static List<String> sentRecords() throws Exception {
        List<String> records = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(federation.databaseA, "postgres", "");
                ResultSet rs = c.createStatement()
                        .executeQuery("SELECT payload FROM outbox WHERE correlation_id <> 'injected-by-test'")) {
            while (rs.next()) {
                for (Measurement m : Senml.resolve(Senml.parseJson(rs.getString(1)), 0)) {
                    Instant t = m.instant();
                    records.add(m.name() + "|" + m.unit() + "|" + (t.getEpochSecond() * 1_000_000 + t.getNano() / 1000)
                            + "|" + (m.value() != null ? m.value().toString() : m.stringValue()));
                }
            }
        }
        return records;
    }

    private static List<String> sinkRecords() throws Exception {
        List<String> records = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(federation.databaseB, "postgres", "");
                ResultSet rs = c.createStatement()
                        .executeQuery("SELECT name, unit,"
                                + " (extract(epoch FROM time) * 1000000)::bigint, coalesce(value::text, string_value), value"
                                + " FROM measurement WHERE name LIKE '" + LocalFederation.METER + "%'")) {
            while (rs.next()) {
                double value = rs.getDouble(5);
                String shown = rs.wasNull() ? rs.getString(4) : Double.toString(value);
                records.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getLong(3) + "|" + shown);
            }
        }
        return records;
    }

    private static void insertOutboxRow(String messageId, String payload) throws Exception {
        try (Connection c = DriverManager.getConnection(federation.databaseA, "postgres", "");
                PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO outbox (message_id, correlation_id, consumer_id,"
                                + " recipient_jid, payload, record_count, consent_ref) SELECT ?::uuid, 'injected-by-test', c.id,"
                                + " 'proxy-b@localhost', ?, 1, k.ref FROM consumer c JOIN consent k ON k.id = c.consent_id LIMIT 1")) {
            ps.setString(1, messageId);
            ps.setString(2, payload);
            ps.executeUpdate();
        }
    }

    private static List<String> messageIds(String database, String sql) throws Exception {
        List<String> ids = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                ResultSet rs = c.createStatement().executeQuery(sql)) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    private static String text(String database, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                ResultSet rs = c.createStatement().executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
