package org.senproxy.demo;

import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A simulated teleinfo gateway: publishes the frames of one electricity meter (historic TIC mode, as
 * connectors/teleinfo-mqtt-source.camel.yaml reads them) to an MQTT topic at a steady rate, QoS 1, each frame stamped
 * with its own time (so each frame is a distinct reading) and its index and power moving as a household's would.
 */
final class TeleinfoGateway implements AutoCloseable {

    private final MqttClient client;
    private final String topic;
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "teleinfo-gateway");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicLong published = new AtomicLong();
    private long index = 1_875_395;
    private long lastMillis;

    TeleinfoGateway(String brokerUrl, String topic) throws MqttException {
        this.topic = topic;
        this.client = new MqttClient(brokerUrl, "teleinfo-gateway-demo", new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMaxInflight(1000);
        client.connect(options);
    }

    /** Publishes {@code framesPerSecond} frames a second, in bursts of ten milliseconds' worth. */
    void start(int framesPerSecond) {
        long periodMicros = 10_000;
        double perTick = framesPerSecond / 100.0;
        double[] owed = {0};
        ticks.scheduleAtFixedRate(
                () -> {
                    owed[0] += perTick;
                    while (owed[0] >= 1) {
                        owed[0]--;
                        publishFrame();
                    }
                },
                0,
                periodMicros,
                TimeUnit.MICROSECONDS);
    }

    private void publishFrame() {
        long millis = Math.max(System.currentTimeMillis(), lastMillis + 1); // one frame per millisecond at most
        lastMillis = millis;
        long power = 400 + Math.round(300 * Math.sin(millis / 20_000.0)) + (millis % 7) * 10;
        index += 1;
        String frame = String.format(
                Locale.ROOT,
                "{\"ADCO\":\"021728123456\",\"OPTARIF\":\"BASE\",\"ISOUSC\":\"30\","
                        + "\"BASE\":\"%09d\",\"PTEC\":\"TH..\",\"IINST\":\"%03d\",\"IMAX\":\"090\",\"PAPP\":\"%05d\","
                        + "\"MOTDETAT\":\"000000\",\"time\":%d.%03d}",
                index,
                power / 230 + 1,
                power,
                millis / 1000,
                millis % 1000);
        try {
            client.publish(topic, frame.getBytes(java.nio.charset.StandardCharsets.UTF_8), 1, false);
            published.incrementAndGet();
        } catch (MqttException e) {
            // the broker is going away with the demo: the frame is simply not published (and not counted)
        }
    }

    /** Frames the broker took. */
    long published() {
        return published.get();
    }

    /** Stops publishing; the frames already published stay with the broker for the proxy. */
    void stop() throws InterruptedException {
        ticks.shutdown();
        ticks.awaitTermination(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        stop();
        if (client.isConnected()) {
            client.disconnect();
        }
        client.close();
    }
}
