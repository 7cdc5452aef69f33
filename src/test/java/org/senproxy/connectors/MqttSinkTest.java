package org.senproxy.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.senproxy.testing.MosquittoTestBroker;
import org.senproxy.testing.RouteHarness;
import org.slf4j.LoggerFactory;

/**
 * connectors/mqtt-sink.camel.yaml against a real Mosquitto broker: each delivery is published as its SenML pack, as
 * it is, to the topic, with QoS 1 and not retained; a delivery fails while the broker is away, so that inbox-delivery
 * tries it again, and goes through once the broker is back; it logs in with the configured user, and its password
 * is in no log line.
 */
class MqttSinkTest {

    private static final String TOPIC = "sen-proxy/received";
    private static final String PACK =
            "[{\"n\":\"urn:dev:prm:09111642617347_consumption/power/active/raw\",\"u\":\"W\","
                    + "\"v\":1268.5,\"t\":1700000000},{\"n\":\"urn:dev:prm:09111642617347_tariff-period\",\"vs\":\"HP..\","
                    + "\"t\":1700000000}]";

    private MosquittoTestBroker broker;
    private RouteHarness harness;
    private MqttClient subscriber;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

    private record Received(String topic, MqttMessage message) {
        String payload() {
            return new String(message.getPayload(), StandardCharsets.UTF_8);
        }
    }

    @BeforeEach
    void start() throws Exception {
        broker = new MosquittoTestBroker();
        harness = new RouteHarness(
                        Map.of("mqtt-sink.broker-url", broker.url(), "mqtt-sink.topic", TOPIC),
                        "connectors/mqtt-sink.camel.yaml")
                .start();
        subscriber = new MqttClient(broker.url(), "test-subscriber", new MemoryPersistence());
        subscriber.connect();
        subscriber.subscribe(TOPIC, 1, (topic, message) -> received.add(new Received(topic, message)));
    }

    @AfterEach
    void stop() throws MqttException {
        try {
            if (subscriber.isConnected()) {
                subscriber.disconnect();
            }
            subscriber.close();
        } finally {
            harness.close();
            broker.close();
        }
    }

    @Test
    void publishesTheSenmlPackOfEachDeliveryToTheTopic() throws Exception {
        deliver(PACK);

        Received first = received.poll(10, TimeUnit.SECONDS);
        assertThat(first).isNotNull();
        assertThat(first.topic()).isEqualTo(TOPIC);
        assertThat(first.payload()).isEqualTo(PACK);
        assertThat(first.message().getQos()).isEqualTo(1);
        assertThat(first.message().isRetained()).isFalse();

        deliver("[{\"n\":\"urn:dev:prm:1_power\",\"u\":\"W\",\"v\":830,\"t\":1700001800}]");
        Received second = received.poll(10, TimeUnit.SECONDS);
        assertThat(second).isNotNull();
        assertThat(second.payload()).contains("1700001800");
        assertThat(received).isEmpty();
    }

    @Test
    void aDeliveryFailsWhileTheBrokerIsAwaySoInboxDeliveryTriesItAgainAndItGoesThroughOnceTheBrokerIsBack()
            throws Exception {
        deliver(PACK);
        assertThat(received.poll(10, TimeUnit.SECONDS)).isNotNull();

        broker.stop();
        assertThatThrownBy(() -> deliver(PACK)).isInstanceOf(CamelExecutionException.class);

        broker.start();
        subscriber.connect();
        subscriber.subscribe(TOPIC, 1, (topic, message) -> received.add(new Received(topic, message)));
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> deliver(PACK));
        assertThat(received.poll(10, TimeUnit.SECONDS))
                .extracting(Received::payload)
                .isEqualTo(PACK);
    }

    @Test
    void logsInWithTheConfiguredUserAndNeverLogsThePassword() throws Exception {
        String password = "s3cret-" + System.nanoTime();
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        rootLogger().addAppender(logs);
        try (MosquittoTestBroker guarded = new MosquittoTestBroker("proxy", password)) {
            harness.close();
            harness = new RouteHarness(
                            Map.of(
                                    "mqtt-sink.broker-url",
                                    guarded.url(),
                                    "mqtt-sink.topic",
                                    TOPIC,
                                    "mqtt-sink.username",
                                    "proxy",
                                    "mqtt-sink.password",
                                    password),
                            "connectors/mqtt-sink.camel.yaml")
                    .start();
            MqttConnectOptions login = new MqttConnectOptions();
            login.setUserName("proxy");
            login.setPassword(password.toCharArray());
            MqttClient reader = new MqttClient(guarded.url(), "guarded-subscriber", new MemoryPersistence());
            reader.connect(login);
            reader.subscribe(TOPIC, 1, (topic, message) -> received.add(new Received(topic, message)));

            deliver(PACK);
            assertThat(received.poll(10, TimeUnit.SECONDS))
                    .extracting(Received::payload)
                    .isEqualTo(PACK);
            reader.disconnect();
            reader.close();
            harness.close();
        } finally {
            rootLogger().detachAppender(logs);
        }
        synchronized (logs) {
            assertThat(logs.list)
                    .isNotEmpty()
                    .noneSatisfy(e -> assertThat(e.getFormattedMessage()).contains(password));
        }
    }

    private static Logger rootLogger() {
        return (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    }

    /** What inbox-deliver does: the records in the body, each message's pack and idempotency key in a variable. */
    private void deliver(String pack) {
        Exchange exchange = harness.template().send("direct:mqtt-sink", e -> {
            e.getMessage().setBody(List.of(Map.of("name", "not used by this sink")));
            e.setVariable("messages", List.of(Map.of("senml", pack, "idempotencyKey", "proxy-a@localhost/m1")));
        });
        if (exchange.getException() != null) {
            throw new CamelExecutionException("delivery failed", exchange, exchange.getException());
        }
    }
}
