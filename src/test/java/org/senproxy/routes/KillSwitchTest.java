package org.senproxy.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.apache.camel.ServiceStatus;
import org.apache.camel.component.mock.MockEndpoint;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;
import org.postgresql.ds.PGSimpleDataSource;
import org.senproxy.SenProxy;
import org.senproxy.federation.FederationCodec;
import org.senproxy.switches.Switches;
import org.senproxy.testing.RouteHarness;
import org.senproxy.testing.TestPostgres;
import org.slf4j.LoggerFactory;

/**
 * The kill-switch (issue 21, item 1) on the real routes and a real PostgreSQL: a disabled source stops and keeps its
 * watermark, then catches up, and stays off across a restart (not started at all); a disabled sink leaves stored rows
 * pending; a suspended peer's rows wait in the outbox and its messages are deferred; a deferral puts the sender's row
 * back without spending an attempt; two replicas on one database both obey a switch set through the command line.
 */
class KillSwitchTest {

    private static final String PEER = "proxy-b@localhost";
    private static final String ME = RouteHarness.OWN_JID;
    private static final String RECORD = "[{\"n\":\"urn:dev:x:1_power\",\"u\":\"W\",\"t\":1700000000.25,\"v\":7.5}]";
    private static final String QUERY = "SELECT meter || '_energy' AS series, read_at AS time, kwh AS value,"
            + " 'kWh' AS unit FROM reading WHERE read_at > CAST(:#since AS timestamptz) ORDER BY read_at LIMIT 1000";

    private RouteHarness harness;
    private RouteHarness second;
    private PGSimpleDataSource building;

    private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    private final Level rootLevel = root.getLevel();

    @AfterEach
    void stop() {
        root.setLevel(rootLevel); // the commands quiet the root logger, as a command-line process does
        if (second != null) {
            second.close();
        }
        if (harness != null) {
            harness.close();
        }
    }

    private static Switches switches(RouteHarness h) {
        return h.context.getRegistry().lookupByNameAndType("switches", Switches.class);
    }

    // ---- sources

    /** sql-source polled every 100 ms by a timer, its switches read every 200 ms; on {@code database} if given. */
    private RouteHarness sqlSource(String database) throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of(
                "sql-source.query", QUERY,
                "sql-source.base-name", "urn:dev:bmhs:school-12_",
                "sql-source.datasource", "#bmhsDb",
                "senproxy.source.retries", "0",
                "senproxy.connectors", "sql-source",
                "senproxy.switch.refresh-ms", "200"));
        if (database != null) {
            settings.put("senproxy.db.url", database);
        }
        RouteHarness h = new RouteHarness(
                settings, "errors.camel.yaml", "outbox-append.camel.yaml", "connectors/sql-source.camel.yaml");
        if (database == null) {
            h.sql("INSERT INTO app (name, jid) VALUES ('b', '" + PEER + "')");
            h.sql("INSERT INTO consumer (source, app_id) SELECT 'sql-source', id FROM app");
        }
        h.replaceFrom("sql-source", "timer:sql-source-poll?period=100");
        h.context.getRegistry().bind("bmhsDb", building);
        return h.start();
    }

    private void building() throws Exception {
        building = new PGSimpleDataSource();
        building.setURL(TestPostgres.newDatabase("bmhs"));
        building.setUser("postgres");
        readings("CREATE TABLE reading (meter text, read_at timestamptz, kwh numeric)");
    }

    private void readings(String statement) throws Exception {
        try (var c = building.getConnection();
                var s = c.createStatement()) {
            s.execute(statement);
        }
    }

    /** Readings number {@code from} to {@code to}, a minute apart. */
    private void readings(int from, int to) throws Exception {
        readings("INSERT INTO reading SELECT 'm1', timestamptz '2024-01-01T00:00:00Z' + i * interval '1 minute', i"
                + " FROM generate_series(" + from + ", " + to + ") i");
    }

    private long records(RouteHarness h) throws Exception {
        return h.outboxRecords().size();
    }

    private long distinctRecords(RouteHarness h) throws Exception {
        return h.outboxRecords().stream()
                .map(m -> m.name() + "@" + m.time())
                .distinct()
                .count();
    }

    @Test
    void aDisabledSourceStopsKeepsItsWatermarkAndCatchesUpOnceEnabled() throws Exception {
        building();
        harness = sqlSource(null);
        readings(1, 5);
        await().atMost(Duration.ofSeconds(10)).until(() -> records(harness) == 5);

        switches(harness).set(Switches.CONNECTOR, "sql-source", false, "meter replaced", "alice");
        await().atMost(Duration.ofSeconds(5))
                .until(() ->
                        harness.context.getRouteController().getRouteStatus("sql-source") == ServiceStatus.Stopped);
        String watermark = harness.text("SELECT value FROM watermark WHERE source = 'sql-source'");
        readings(6, 10);
        // stopped: for a second (ten of its periods) nothing is read and the watermark stays
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(3))
                .until(() -> records(harness) == 5
                        && watermark.equals(harness.text("SELECT value FROM watermark WHERE source = 'sql-source'")));

        switches(harness).set(Switches.CONNECTOR, "sql-source", true, null, "alice");
        await().atMost(Duration.ofSeconds(10)).until(() -> records(harness) == 10);
        assertThat(distinctRecords(harness)).isEqualTo(10);
        assertThat(harness.count("SELECT count(*) FROM source_record")).isEqualTo(10);
        assertThat(harness.text("SELECT string_agg(kind || ' ' || actor, ',' ORDER BY seq) FROM audit_log"
                        + " WHERE kind LIKE 'switch.%'"))
                .isEqualTo("switch.connector.disabled alice,switch.connector.enabled alice");
    }

    @Test
    void twoReplicasObeyASwitchSetByTheCommandLineDuringALoad() throws Exception {
        building();
        harness = sqlSource(null);
        second = sqlSource(harness.database);
        int total = 0;
        for (int i = 0; i < 10; i++) { // a load: new readings every round, while the switch goes off and on
            readings(total + 1, total + 20);
            total += 20;
            if (i == 3) {
                assertThat(SenProxy.commandLine()
                                .execute(
                                        "connectors",
                                        "disable",
                                        "sql-source",
                                        "--reason",
                                        "maintenance",
                                        "--actor",
                                        "bob",
                                        "--db-url",
                                        harness.database,
                                        "--db-user",
                                        "postgres"))
                        .isZero();
                // both replicas within the refresh time (200 ms), with room for a poll in flight to finish
                await().atMost(Duration.ofSeconds(3)).until(() -> stopped(harness) && stopped(second));
                long before = records(harness);
                int expected = total;
                await().during(Duration.ofMillis(600))
                        .atMost(Duration.ofSeconds(2))
                        .until(() -> records(harness) == before && before <= expected);
            }
            if (i == 6) {
                assertThat(SenProxy.commandLine()
                                .execute(
                                        "connectors",
                                        "enable",
                                        "sql-source",
                                        "--actor",
                                        "bob",
                                        "--db-url",
                                        harness.database,
                                        "--db-user",
                                        "postgres"))
                        .isZero();
                await().atMost(Duration.ofSeconds(3)).until(() -> !stopped(harness) && !stopped(second));
            }
        }
        int all = total;
        await().atMost(Duration.ofSeconds(15)).until(() -> records(harness) == all);
        assertThat(distinctRecords(harness)).isEqualTo(all);
        assertThat(harness.count(
                        "SELECT count(*) FROM audit_log WHERE kind LIKE 'switch.connector.%'" + " AND actor = 'bob'"))
                .isEqualTo(2);
    }

    @Test
    void aDisabledSourceStaysOffAcrossARestartAndCatchesUpOnceEnabled() throws Exception {
        building();
        RouteHarness first = sqlSource(null);
        harness = first;
        readings(1, 5);
        await().atMost(Duration.ofSeconds(10)).until(() -> records(first) == 5);
        switches(first).set(Switches.CONNECTOR, "sql-source", false, "meter replaced", "alice");
        await().atMost(Duration.ofSeconds(5)).until(() -> stopped(first));

        // the proxy restarts while the connector is off: the switch is in the database, the route is not started
        first.close();
        harness = null;
        readings(6, 10);
        harness = sqlSource(first.database);
        assertThat(stopped(harness)).as("not started at all").isTrue();
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> records(first) == 5);

        switches(harness).set(Switches.CONNECTOR, "sql-source", true, null, "alice");
        await().atMost(Duration.ofSeconds(10)).until(() -> records(first) == 10);
        assertThat(distinctRecords(first)).as("nothing read twice").isEqualTo(10);
    }

    private static boolean stopped(RouteHarness h) {
        return h.context.getRouteController().getRouteStatus("sql-source") == ServiceStatus.Stopped;
    }

    // ---- the sink

    @Test
    void aDisabledSinkLeavesStoredMessagesPendingAndAcknowledgedUntilEnabled() throws Exception {
        harness = RouteHarness.forInbound(Map.of());
        harness.sql("INSERT INTO app (name, jid) VALUES ('b', '" + PEER + "')");
        switches(harness).set(Switches.CONNECTOR, "test-sink", false, "database upgrade", "alice");
        MockEndpoint sink = harness.mock("sink");
        String id = UUID.randomUUID().toString();

        harness.receive(Stanzas.data(PEER, ME, id, RECORD));
        harness.template().sendBody("direct:deliver-due", null);

        assertThat(ack(0).getAttributeValue("status")).isEqualTo("accepted");
        assertThat(sink.getReceivedCounter()).isZero();
        assertThat(harness.text("SELECT status || ' ' || attempts FROM inbox")).isEqualTo("pending 0");
        // the sink's route is never stopped: inbox-deliver calls it directly
        assertThat(harness.context.getRouteController().getRouteStatus("test-sink"))
                .isEqualTo(ServiceStatus.Started);

        switches(harness).set(Switches.CONNECTOR, "test-sink", true, null, "alice");
        sink.expectedMessageCount(1);
        harness.template().sendBody("direct:deliver-due", null);
        sink.assertIsSatisfied();
        assertThat(harness.text("SELECT status FROM inbox")).isEqualTo("delivered");
        assertThat(harness.count("SELECT count(*) FROM dead_letter")).isZero();
    }

    // ---- peers: the receiver's side

    @Test
    void aSuspendedPeersMessageIsDeferredWithItsReasonNotStoredAndNoDeadLetter() throws Exception {
        harness = RouteHarness.forInbound(Map.of());
        harness.sql("INSERT INTO app (name, jid) VALUES ('b', '" + PEER + "')");
        switches(harness).set(Switches.PEER, "b", false, "contract under review", "alice");
        String id = UUID.randomUUID().toString();

        harness.receive(Stanzas.data(PEER, ME, id, RECORD));

        StandardExtensionElement ack = ack(0);
        assertThat(harness.sentOverXmpp(0).getTo().toString())
                .as("to the sender's replica that sent it")
                .isEqualTo(PEER + "/sen-proxy");
        assertThat(ack.getAttributeValue("status")).isEqualTo("deferred");
        assertThat(ack.getAttributeValue("id")).isEqualTo(id);
        assertThat(ack.getAttributeValue("reason"))
                .contains("contract under review")
                .contains("send it again later");
        assertThat(harness.count("SELECT count(*) FROM inbox")).isZero();
        assertThat(harness.count("SELECT count(*) FROM dead_letter")).isZero();
        assertThat(harness.count("SELECT count(*) FROM audit_log WHERE kind = 'transfer.deferred'"))
                .isEqualTo(1);

        switches(harness).set(Switches.PEER, "b", true, null, "alice");
        harness.receive(Stanzas.data(PEER, ME, id, RECORD));
        assertThat(ack(1).getAttributeValue("status")).isEqualTo("accepted");
        assertThat(harness.count("SELECT count(*) FROM inbox")).isEqualTo(1);
    }

    private StandardExtensionElement ack(int index) {
        Message ack = harness.sentOverXmpp(index);
        return (StandardExtensionElement) ack.getExtension("ack", FederationCodec.NAMESPACE);
    }

    // ---- peers: the sender's side

    @Test
    void aDeferralPutsTheSendersRowBackWithoutSpendingAnAttempt() throws Exception {
        harness = RouteHarness.forInbound(Map.of("senproxy.outbox.ack-timeout-ms", "60000"));
        harness.sql("INSERT INTO app (name, jid) VALUES ('b', '" + PEER + "')");
        harness.sql("INSERT INTO consumer (source, app_id) SELECT 'test', id FROM app");
        String id = UUID.randomUUID().toString();
        harness.sql("INSERT INTO outbox (message_id, correlation_id, consumer_id, recipient_jid, payload, record_count,"
                + " status, attempts, sent_at) SELECT '" + id + "', 'c', id, '" + PEER + "', '[]', 0, 'sent', 20,"
                + " now() FROM consumer");

        Message deferred = new FederationCodec(PEER)
                .deferred(
                        ME,
                        id,
                        "suspended by the receiving proxy's operator:"
                                + " contract under review; keep the message and send it again later");
        deferred.setFrom(JidCreate.from(PEER + "/sen-proxy"));
        harness.receive(deferred);

        // at its last attempt, and still no dead letter: the attempt is given back, the row waits the ack timeout
        assertThat(harness.text("SELECT status || ' ' || attempts FROM outbox")).isEqualTo("pending 19");
        assertThat(harness.text("SELECT last_error FROM outbox"))
                .contains("deferred by " + PEER)
                .contains("contract under review");
        assertThat(harness.count("SELECT count(*) FROM outbox WHERE next_attempt_at > now() + interval '50 s'"))
                .isEqualTo(1);
        assertThat(harness.count("SELECT count(*) FROM dead_letter")).isZero();
        assertThat(harness.count("SELECT count(*) FROM audit_log WHERE kind = 'transfer.deferred'"))
                .isEqualTo(1);
    }

    @Test
    void aSuspendedPeersRowsWaitInTheOutboxAndAreSentOnceResumed() throws Exception {
        harness = new RouteHarness(Map.of("senproxy.outbox.max-attempts", "2"), "outbox-dispatch.camel.yaml");
        harness.replaceFrom("outbox-dispatch", "direct:dispatch").start();
        harness.sql("INSERT INTO app (name, jid) VALUES ('b', '" + PEER + "'), ('c', 'proxy-c@localhost')");
        harness.sql("INSERT INTO consumer (source, app_id) SELECT 'test', id FROM app");
        for (String to : new String[] {PEER, PEER, "proxy-c@localhost"}) {
            harness.sql("INSERT INTO outbox (message_id, correlation_id, consumer_id, recipient_jid, payload,"
                    + " record_count) SELECT gen_random_uuid(), 'c', c.id, '" + to + "', '" + RECORD + "', 1"
                    + " FROM consumer c JOIN app a ON a.id = c.app_id WHERE a.jid = '" + to + "'");
        }
        switches(harness).set(Switches.PEER, "b", false, "contract under review", "alice");
        MockEndpoint xmpp = harness.mock("xmpp");

        for (int i = 0; i < 3; i++) { // more claims than max-attempts: still no dead letter
            harness.template().sendBody("direct:dispatch", null);
        }

        assertThat(xmpp.getExchanges())
                .extracting(e -> e.getIn().getBody(Message.class).getTo().toString())
                .containsExactly("proxy-c@localhost");
        assertThat(harness.count("SELECT count(*) FROM outbox WHERE recipient_jid = '" + PEER + "'"
                        + " AND status = 'pending' AND attempts = 0"))
                .isEqualTo(2);
        assertThat(harness.count("SELECT count(*) FROM dead_letter")).isZero();

        switches(harness).set(Switches.PEER, "b", true, "contract renewed", "alice");
        harness.template().sendBody("direct:dispatch", null);
        assertThat(xmpp.getExchanges()).hasSize(3);
        assertThat(harness.count(
                        "SELECT count(*) FROM outbox WHERE recipient_jid = '" + PEER + "'" + " AND status = 'sent'"))
                .isEqualTo(2);
    }
}
