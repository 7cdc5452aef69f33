package org.senproxy.testing;

import java.io.IOException;
import java.util.Properties;

import io.moquette.BrokerConstants;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;

/**
 * An MQTT 3.1.1 broker in this JVM (Moquette), on a free 127.0.0.1 port, for anonymous clients, keeping sessions in
 * memory only. For the quick-start demo, which must run with Java and Maven alone; the connector tests use Debian's
 * Mosquitto ({@link MosquittoTestBroker}), the broker the connectors are documented against.
 */
public final class EmbeddedMqttBroker implements AutoCloseable {

    private final Server server = new Server();
    private final int port;

    public EmbeddedMqttBroker() throws IOException {
        this(FreePort.next());
    }

    /** A broker on this port (a test that starts the proxy first, with the broker away). */
    public EmbeddedMqttBroker(int port) throws IOException {
        this.port = port;
        Properties config = new Properties();
        config.setProperty(BrokerConstants.HOST_PROPERTY_NAME, "127.0.0.1");
        config.setProperty(BrokerConstants.PORT_PROPERTY_NAME, Integer.toString(port));
        config.setProperty(BrokerConstants.WEB_SOCKET_PORT_PROPERTY_NAME, BrokerConstants.DISABLED_PORT_BIND);
        config.setProperty(BrokerConstants.ALLOW_ANONYMOUS_PROPERTY_NAME, "true");
        config.setProperty(BrokerConstants.PERSISTENCE_ENABLED_PROPERTY_NAME, "false");
        // Moquette would otherwise report its use to its authors over the network
        config.setProperty(BrokerConstants.ENABLE_TELEMETRY_NAME, "false");
        server.startServer(new MemoryConfig(config));
    }

    /** The broker's URL, e.g. tcp://127.0.0.1:40123. */
    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        server.stopServer();
    }
}
