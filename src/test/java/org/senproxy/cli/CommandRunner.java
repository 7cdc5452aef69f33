package org.senproxy.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.senproxy.SenProxy;
import org.slf4j.LoggerFactory;

/**
 * Runs sen-proxy's command line as the jar does and keeps what one run printed. The commands quiet the root logger,
 * as a command-line process should; after each test the rest of the test JVM gets its level back
 * ({@code @RegisterExtension}).
 */
final class CommandRunner implements AfterEachCallback {

    private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    private final Level rootLevel = root.getLevel();
    private StringWriter out = new StringWriter();
    private StringWriter err = new StringWriter();

    /** Runs {@code sen-proxy args...}; returns the exit status. */
    int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        return SenProxy.commandLine()
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err))
                .execute(args);
    }

    /** What the last run printed on stdout. */
    String out() {
        return out.toString();
    }

    /** What the last run printed on stderr. */
    String err() {
        return err.toString();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        root.setLevel(rootLevel);
    }
}
