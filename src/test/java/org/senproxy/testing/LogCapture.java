package org.senproxy.testing;

import java.util.stream.Collectors;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/** Keeps what one logger writes during a test (a route's log EIP writes under the route id). */
public final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public LogCapture(String loggerName) {
        logger = (Logger) LoggerFactory.getLogger(loggerName);
        appender.start();
        logger.addAppender(appender);
    }

    public LogCapture(Class<?> type) {
        this(type.getName());
    }

    /** Captures what the logger writes at {@code level} and above, setting its level for the capture's time. */
    public LogCapture(String loggerName, Level level) {
        this(loggerName);
        previousLevel = logger.getLevel();
        logger.setLevel(level);
    }

    private Level previousLevel;

    // logback's AppenderBase.doAppend adds to the list holding the appender's own lock: reads hold it too, or a line
    // logged meanwhile by another thread breaks the iteration (ConcurrentModificationException)

    /** The messages logged with this value of the MDC key, one per line. */
    public String messagesWithMdc(String key, String value) {
        synchronized (appender) {
            return appender.list.stream()
                    .filter(e -> value.equals(e.getMDCPropertyMap().get(key)))
                    .map(ILoggingEvent::getFormattedMessage)
                    .collect(Collectors.joining("\n"));
        }
    }

    /** The messages logged at this level, one per line. */
    public String messages(Level level) {
        synchronized (appender) {
            return appender.list.stream()
                    .filter(e -> e.getLevel() == level)
                    .map(ILoggingEvent::getFormattedMessage)
                    .collect(Collectors.joining("\n"));
        }
    }

    public String warnings() {
        return messages(Level.WARN);
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        if (previousLevel != null) {
            logger.setLevel(previousLevel);
        }
    }
}
