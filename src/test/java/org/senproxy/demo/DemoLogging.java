package org.senproxy.demo;

import java.util.HashMap;
import java.util.Map;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/**
 * The demo's quiet logs: warnings and errors only, but for the proxies' own start-up summary (org.senproxy.runtime at
 * INFO). Camel's and the libraries' INFO lines (route lists, settings summaries, Smack's connection notes) are off.
 */
final class DemoLogging {

    private static final String[] QUIETED = {
        Logger.ROOT_LOGGER_NAME,
        "senproxy.flow",
        "org.apache.camel.component.xmpp.XmppLogger",
        "org.apache.camel.component.properties"
    };

    private final Map<Logger, Level> before = new HashMap<>();

    private DemoLogging() {}

    /** The embedded MQTT broker's line per MQTT packet: off even with demo.verbose. */
    static DemoLogging always() {
        DemoLogging logging = new DemoLogging();
        logging.set("io.moquette", Level.WARN);
        return logging;
    }

    static DemoLogging quiet() {
        DemoLogging logging = always();
        for (String name : QUIETED) {
            logging.set(name, Level.WARN);
        }
        logging.set("org.senproxy.runtime", Level.INFO);
        return logging;
    }

    private void set(String name, Level level) {
        Logger logger = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(name);
        before.put(logger, logger.getLevel());
        logger.setLevel(level);
    }

    /** The levels as they were (for a test that runs the demo in its own JVM). */
    void restore() {
        before.forEach(Logger::setLevel);
    }
}
