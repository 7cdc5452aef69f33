package org.senproxy.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import com.sun.net.httpserver.HttpServer;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.senproxy.testing.StubHttp;

/** The local systems records come from: a gateway publishing to MQTT, or an HTTP API that proxy A polls. */
final class BenchSources {

    private BenchSources() {}

    /** Where the benchmark puts new records for proxy A to take. */
    interface Source extends AutoCloseable {
        /** Hands over records (SenML JSON records, each with its time) as the local system would. */
        void emit(List<String> records) throws Exception;

        @Override
        void close() throws Exception;
    }

    /**
     * A gateway publishing each batch of records as one SenML pack, QoS 1, to a topic of Mosquitto. It does not wait
     * for each PUBACK before the next publish (up to {@link #IN_FLIGHT} unacknowledged): publishing one message per
     * round trip, Mosquitto's small PUBACKs meet Nagle's algorithm and the client's delayed ACK, and the gateway stalls
     * about 40 ms per message (seen here: 22 messages/s).
     */
    static final class Mqtt implements Source {
        private static final int IN_FLIGHT = 500;
        private final MqttAsyncClient client;
        private final String topic;
        private final ArrayDeque<IMqttDeliveryToken> inFlight = new ArrayDeque<>();

        Mqtt(String brokerUrl, String topic) throws MqttException {
            this.topic = topic;
            client = new MqttAsyncClient(brokerUrl, "bench-gateway", new MemoryPersistence());
            MqttConnectOptions options = new MqttConnectOptions();
            options.setCleanSession(true);
            options.setMaxInflight(IN_FLIGHT * 2);
            client.connect(options).waitForCompletion(10_000);
        }

        @Override
        public void emit(List<String> records) throws MqttException {
            while (!inFlight.isEmpty() && inFlight.peekFirst().isComplete()) {
                inFlight.removeFirst();
            }
            if (inFlight.size() >= IN_FLIGHT) {
                inFlight.removeFirst().waitForCompletion(10_000);
            }
            inFlight.addLast(
                    client.publish(topic, BenchRecords.pack(records).getBytes(StandardCharsets.UTF_8), 1, false));
        }

        @Override
        public void close() throws MqttException {
            for (IMqttDeliveryToken token : inFlight) {
                token.waitForCompletion(10_000);
            }
            client.disconnect().waitForCompletion(10_000);
            client.close();
        }
    }

    /**
     * An HTTP API that answers GET /records with the records measured since the last poll (at most
     * {@code maxPerPoll}; the rest waits for the next poll), as one SenML pack; {@code []} when there is none.
     */
    static final class Http implements Source {
        private final HttpServer server;
        private final ConcurrentLinkedQueue<String> measured = new ConcurrentLinkedQueue<>();

        Http(int maxPerPoll) throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/records", exchange -> {
                List<String> answer = new ArrayList<>();
                String record;
                while (answer.size() < maxPerPoll && (record = measured.poll()) != null) {
                    answer.add(record);
                }
                StubHttp.answer(exchange, 200, "application/senml+json", BenchRecords.pack(answer));
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/records";
        }

        @Override
        public void emit(List<String> records) {
            measured.addAll(records);
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
