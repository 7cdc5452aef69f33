package org.senproxy.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.senproxy.senml.Measurement;
import org.senproxy.senml.Senml;
import org.senproxy.testing.MosquittoTestBroker;
import org.senproxy.testing.RouteHarness;
import org.slf4j.LoggerFactory;

/**
 * connectors/teleinfo-mqtt-source.camel.yaml with its transform, against a real Mosquitto broker and a Paho client
 * publishing as the teleinfo gateway does: a frame enters the outbox as SenML; a frame that cannot be read enters
 * nothing and the next one still arrives; a frame is acknowledged to the broker only once it is in the outbox, so one
 * whose outbox write fails waits, and one the connector could not write before it stopped is sent again by the broker;
 * a frame written and acknowledged is not sent again. What the broker sent and received is read from its log.
 */
class TeleinfoMqttSourceTest {

    private static final String METER = "urn:dev:prm:09111642617347_";
    private static final String TOPIC = "teleinfo/021728123456";
    private static final String ROUTE = "teleinfo-mqtt-source";
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** What Mosquitto logs when it sends a frame to the connector, sends it again (DUP), and gets its PUBACK. */
    private static final String SENT_TO_CONNECTOR = "Sending PUBLISH to sen-proxy-teleinfo (d0, q1";

    private static final String SENT_AGAIN_TO_CONNECTOR = "Sending PUBLISH to sen-proxy-teleinfo (d1, q1";
    private static final String ACKNOWLEDGED_BY_CONNECTOR = "Received PUBACK from sen-proxy-teleinfo";

    private MosquittoTestBroker broker;
    private RouteHarness harness;
    private MqttClient gateway;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void start() throws Exception {
        broker = new MosquittoTestBroker();
        logs.start();
        rootLogger().addAppender(logs);
        harness = harness(Map.of());
        gateway = new MqttClient(broker.url(), "teleinfo-gateway", new MemoryPersistence());
        gateway.connect();
    }

    /**
     * The connector with the routes it calls, on a new database. Frames are gathered as in service (the defaults of
     * senproxy.source.gather-*: not the route tests' batches of one on the connector's thread), unless settings say.
     */
    private RouteHarness harness(Map<String, String> settings) throws Exception {
        Map<String, String> all = new java.util.HashMap<>(Map.of(
                "teleinfo-mqtt.broker-url", broker.url(),
                "teleinfo-mqtt.topic", TOPIC,
                "teleinfo-mqtt.base-name", METER,
                "senproxy.source.retry-first-ms", "50",
                "senproxy.source.max-backoff-ms", "200",
                "senproxy.source.gather-size", "50",
                "senproxy.source.gather-ms", "20",
                "senproxy.source.gather-threads", "1"));
        all.putAll(settings);
        RouteHarness routes = new RouteHarness(
                all,
                "errors.camel.yaml",
                "outbox-append.camel.yaml",
                "source-gather.camel.yaml",
                "connectors/teleinfo-mqtt-source.camel.yaml");
        routes.sql("INSERT INTO app (name, jid) VALUES ('b', 'proxy-b@localhost')");
        routes.sql("INSERT INTO consumer (source, app_id) SELECT '" + ROUTE + "', id FROM app");
        return routes.start();
    }

    @AfterEach
    void stop() throws MqttException {
        rootLogger().detachAppender(logs);
        try {
            if (gateway.isConnected()) {
                gateway.disconnect();
            }
            gateway.close();
        } finally {
            harness.close();
            broker.close();
        }
    }

    @Test
    void aFrameEntersTheOutboxAsFourSenmlRecordsStampedWithItsArrivalTime() throws Exception {
        long before = System.currentTimeMillis();
        publish(frame());
        await().atMost(WAIT).until(() -> harness.count("SELECT count(*) FROM outbox") == 1);
        long after = System.currentTimeMillis();

        List<Measurement> records = Senml.resolve(
                Senml.parseJson(harness.text("SELECT payload FROM outbox WHERE recipient_jid = 'proxy-b@localhost'")),
                0);
        assertThat(records)
                .extracting(Measurement::name, Measurement::unit)
                .containsExactly(
                        tuple(METER + "consumption/energy/active/index", "Wh"),
                        tuple(METER + "consumption/power/apparent/raw", "VA"),
                        tuple(METER + "consumption/current/raw", "A"),
                        tuple(METER + "tariff-period", null));
        assertThat(records.get(0).value()).isEqualTo(1_875_395.0);
        assertThat(records.get(1).value()).isEqualTo(130.0);
        assertThat(records.get(2).value()).isEqualTo(1.0);
        assertThat(records.get(3).stringValue()).isEqualTo("TH..");
        assertThat(records).allSatisfy(m -> assertThat(m.time() * 1000).isBetween(before - 1000.0, after + 1000.0));
    }

    @Test
    void aFrameThatCannotBeReadEntersNothingAndTheNextFrameStillArrives() throws Exception {
        publish("ADCO 021728123456 E\nBASE 001875395 0");
        publish("{\"status\":\"online\"}");
        publish(frame());

        await().atMost(WAIT).until(() -> harness.count("SELECT count(*) FROM outbox") == 1);
        assertThat(harness.count("SELECT sum(record_count) FROM outbox")).isEqualTo(4);
        assertThat(warnings())
                .filteredOn(w -> w.startsWith(ROUTE + ": message dropped, it cannot be read"))
                .hasSize(2)
                .anySatisfy(w -> assertThat(w).contains("Unrecognized token 'ADCO'"))
                .anySatisfy(w -> assertThat(w).contains("not a teleinfo frame"));
    }

    @Test
    void aFrameWaitsUnacknowledgedForAnOutboxThatCannotBeWrittenAndIsAcknowledgedOnceItIsIn() throws Exception {
        harness.sql("ALTER TABLE outbox RENAME TO outbox_away");
        publish(frame());
        await().atMost(WAIT).until(() -> retriesOfTheOutboxWrite() >= 3);
        assertThat(broker.log()).contains(SENT_TO_CONNECTOR).doesNotContain(ACKNOWLEDGED_BY_CONNECTOR);

        harness.sql("ALTER TABLE outbox_away RENAME TO outbox");
        await().atMost(WAIT).until(() -> broker.log().contains(ACKNOWLEDGED_BY_CONNECTOR));
        assertThat(indexesInTheOutbox()).containsExactly(1_875_395.0);
    }

    @Test
    void aFrameNotWrittenWhenTheConnectorStopsIsSentAgainByTheBrokerAndNotLost() throws Exception {
        harness.sql("ALTER TABLE outbox RENAME TO outbox_away");
        publish(frame());
        await().atMost(WAIT).until(() -> retriesOfTheOutboxWrite() >= 1);

        harness.context.getRouteController().stopRoute(ROUTE);
        assertThat(broker.log()).doesNotContain(ACKNOWLEDGED_BY_CONNECTOR);
        harness.sql("ALTER TABLE outbox_away RENAME TO outbox");
        harness.context.getRouteController().startRoute(ROUTE);
        await().atMost(WAIT).until(() -> broker.log().contains(SENT_AGAIN_TO_CONNECTOR));

        // camel-paho 4.17 sets its message callback only after connecting: a frame the broker sends right after the
        // connection is made can reach no callback (about 1 start in 10 here); it stays unacknowledged until the next
        // reconnection, which a broker restart forces. The frame must end in the outbox either way.
        broker.restart();
        await().atMost(WAIT).until(() -> harness.count("SELECT count(*) FROM outbox") >= 1);
        assertThat(indexesInTheOutbox()).containsOnly(1_875_395.0);
    }

    @Test
    void aWrittenFrameIsAcknowledgedSoTheBrokerDoesNotSendItAgain() throws Exception {
        publish(frame());
        await().atMost(WAIT).until(() -> broker.log().contains(ACKNOWLEDGED_BY_CONNECTOR));

        broker.restart();
        gateway.connect();
        publish(frame().replace("001875395", "001875402"));

        await().atMost(WAIT).until(() -> harness.count("SELECT count(*) FROM outbox") >= 2);
        assertThat(indexesInTheOutbox()).containsExactly(1_875_395.0, 1_875_402.0);
    }

    @Test
    void framesArrivingTogetherEnterTheOutboxInOneWriteAndEachIsAcknowledgedOnlyOnceItIsIn() throws Exception {
        harness.close();
        // batches of 5 frames, on a thread of their own; the interval (a minute) does not cut one during the test
        harness = harness(Map.of(
                "senproxy.source.gather-size",
                "5",
                "senproxy.source.gather-ms",
                "60000",
                "senproxy.source.gather-threads",
                "1"));
        harness.sql("ALTER TABLE outbox RENAME TO outbox_away");
        // each frame with its own time: frames stamped on arrival could share a millisecond, and so a key
        for (int i = 0; i < 5; i++) {
            publish(frame().replace("001875395", "00187539" + i)
                    .replace("{", "{\"time\": " + (1_700_000_000 + i) + ","));
        }
        await().atMost(WAIT).until(() -> retriesOfTheOutboxWrite() >= 2);
        assertThat(broker.log()).doesNotContain(ACKNOWLEDGED_BY_CONNECTOR);

        harness.sql("ALTER TABLE outbox_away RENAME TO outbox");
        await().atMost(WAIT).until(() -> broker.log().split(ACKNOWLEDGED_BY_CONNECTOR, -1).length - 1 == 5);
        assertThat(harness.count("SELECT count(*) FROM outbox")).isOne();
        assertThat(harness.count("SELECT record_count FROM outbox")).isEqualTo(20);
        assertThat(harness.count("SELECT count(DISTINCT correlation_id) FROM outbox"))
                .isOne();
        List<Measurement> records = Senml.resolve(Senml.parseJson(harness.text("SELECT payload FROM outbox")), 0);
        assertThat(records)
                .filteredOn(m -> m.name().endsWith("active/index"))
                .extracting(Measurement::value)
                .containsExactly(1_875_390.0, 1_875_391.0, 1_875_392.0, 1_875_393.0, 1_875_394.0);
    }

    /** The energy index of each message in the outbox, in the order they entered it. */
    private List<Double> indexesInTheOutbox() throws SQLException {
        String payloads = harness.text("SELECT string_agg(payload, E'\\n' ORDER BY id) FROM outbox");
        return payloads.lines()
                .map(p -> Senml.resolve(Senml.parseJson(p), 0).get(0).value())
                .toList();
    }

    /** How many times the connector tried the outbox write again (its error handler logs each retry). */
    private long retriesOfTheOutboxWrite() {
        return warnings().stream()
                .filter(w -> w.contains("relation \"outbox\" does not exist"))
                .count();
    }

    private static String frame() throws Exception {
        return Files.readString(Path.of("src", "test", "resources", "fixtures", "teleinfo-mqtt", "frame.json"));
    }

    private void publish(String payload) throws MqttException {
        MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        message.setQos(1);
        gateway.publish(TOPIC, message);
    }

    private static Logger rootLogger() {
        return (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    }

    private List<String> warnings() {
        synchronized (logs) {
            return new ArrayList<>(logs.list)
                    .stream()
                            .filter(e -> e.getLevel() == Level.WARN)
                            .map(ILoggingEvent::getFormattedMessage)
                            .toList();
        }
    }
}
