package org.senproxy.runtime;

import java.util.ArrayList;
import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import org.slf4j.LoggerFactory;

/**
 * Where a proxy's log lines go. By default standard output only (what Kubernetes and journald collect). With
 * {@code senproxy.log.file}, a file that rolls every day and whenever it reaches {@code senproxy.log.max-size}, its
 * rolled files compressed and kept {@code senproxy.log.max-history} days and never more than
 * {@code senproxy.log.total-cap} in all (the oldest go first); standard output then stops unless
 * {@code senproxy.log.stdout=true}. With {@code senproxy.log.error-file}, a second file of ERROR lines only, kept
 * {@code senproxy.log.error-max-history} days within {@code senproxy.log.error-total-cap}: errors outlive the INFO
 * lines around them. The lines are those of standard output (text, or JSON with SENPROXY_LOG_FORMAT=json).
 */
public final class LogFiles implements AutoCloseable {

    public static final String FILE = "senproxy.log.file";
    public static final String ERROR_FILE = "senproxy.log.error-file";

    private final LoggerContext context;
    private final List<Appender<ILoggingEvent>> added = new ArrayList<>();
    private Appender<ILoggingEvent> detachedConsole;

    private LogFiles(LoggerContext context) {
        this.context = context;
    }

    /** Sets the files up as the settings say (nothing without senproxy.log.file or senproxy.log.error-file). */
    public static LogFiles configure(StartupSettings settings) {
        LogFiles files = new LogFiles((LoggerContext) LoggerFactory.getILoggerFactory());
        Logger root = files.context.getLogger(Logger.ROOT_LOGGER_NAME);
        Appender<ILoggingEvent> console = root.getAppender("STDOUT");
        if (settings.isSet(FILE)) {
            files.add(
                    root,
                    console,
                    "FILE",
                    settings.get(FILE),
                    settings.get("senproxy.log.max-size"),
                    Integer.parseInt(settings.get("senproxy.log.max-history")),
                    settings.get("senproxy.log.total-cap"),
                    null);
            if (console != null && !Boolean.parseBoolean(settings.get("senproxy.log.stdout"))) {
                root.detachAppender(console);
                files.detachedConsole = console;
            }
        }
        if (settings.isSet(ERROR_FILE)) {
            files.add(
                    root,
                    console,
                    "ERROR_FILE",
                    settings.get(ERROR_FILE),
                    settings.get("senproxy.log.max-size"),
                    Integer.parseInt(settings.get("senproxy.log.error-max-history")),
                    settings.get("senproxy.log.error-total-cap"),
                    Level.ERROR);
        }
        return files;
    }

    private void add(
            Logger root,
            Appender<ILoggingEvent> console,
            String name,
            String file,
            String maxSize,
            int maxHistoryDays,
            String totalCap,
            Level threshold) {
        RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
        appender.setContext(context);
        appender.setName(name);
        appender.setFile(file);
        SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
        policy.setContext(context);
        policy.setParent(appender);
        policy.setFileNamePattern(file + ".%d{yyyy-MM-dd}.%i.gz");
        policy.setMaxFileSize(FileSize.valueOf(maxSize));
        policy.setMaxHistory(maxHistoryDays);
        policy.setTotalSizeCap(FileSize.valueOf(totalCap));
        policy.start();
        appender.setRollingPolicy(policy);
        appender.setEncoder(encoderLike(console));
        if (threshold != null) {
            ThresholdFilter filter = new ThresholdFilter();
            filter.setLevel(threshold.levelStr);
            filter.start();
            appender.addFilter(filter);
        }
        appender.start();
        root.addAppender(appender);
        added.add(appender);
    }

    /** A new encoder writing what standard output writes: JSON lines or the same text pattern. */
    private Encoder<ILoggingEvent> encoderLike(Appender<ILoggingEvent> console) {
        Encoder<ILoggingEvent> model = console instanceof ConsoleAppender<ILoggingEvent> c ? c.getEncoder() : null;
        if (model instanceof JsonEncoder) {
            JsonEncoder json = new JsonEncoder();
            json.setWithSequenceNumber(false);
            json.setWithNanoseconds(false);
            json.setWithContext(false);
            json.setWithArguments(false);
            json.setWithMessage(false);
            json.setWithFormattedMessage(true);
            json.setContext(context);
            json.start();
            return json;
        }
        PatternLayoutEncoder text = new PatternLayoutEncoder();
        text.setContext(context);
        // a file keeps days of lines: each line says its day, which standard output's time of day leaves out
        text.setPattern(
                model instanceof PatternLayoutEncoder p
                        ? p.getPattern().replace("%d{HH:mm:ss.SSS}", "%d{yyyy-MM-dd HH:mm:ss.SSS}")
                        : "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{30} - %msg%n");
        text.start();
        return text;
    }

    /** Stops the files and gives standard output back (tests; a proxy keeps them until the JVM ends). */
    @Override
    public void close() {
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        for (Appender<ILoggingEvent> appender : added) {
            root.detachAppender(appender);
            appender.stop();
        }
        if (detachedConsole != null) {
            root.addAppender(detachedConsole);
        }
    }
}
