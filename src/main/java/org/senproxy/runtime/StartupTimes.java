package org.senproxy.runtime;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a proxy's start-up goes: the moments, after the JVM started, at which each phase ended (the JVM and Camel Main
 * up to the proxy's beans; the database pool and its migrations; the other beans; the routes, the XMPP login among
 * them; the XMPP session logged in). One line at INFO when the proxy is ready, i.e. its routes run and its XMPP session
 * is up, e.g. {@code Ready 3.1 s after the JVM started: JVM and Camel Main 1.2 s, database and migrations 0.4 s,
 * beans 0.2 s, routes 1.3 s (XMPP logged in at 2.9 s)}. docs/benchmarks-log.md ("Start-up") reads it.
 */
public final class StartupTimes {

    private static final Logger LOG = LoggerFactory.getLogger(StartupTimes.class);
    static final String CAMEL = "JVM and Camel Main";
    static final String DATABASE = "database and migrations";
    static final String BEANS = "beans";
    static final String ROUTES = "routes";
    static final String XMPP = "XMPP logged in";

    /** Whether a proxy was made in this JVM before: a second one (tests, the demo) cannot count the JVM's time. */
    private static final AtomicBoolean JVM_COUNTED = new AtomicBoolean();

    private final long jvmStart;
    private final String origin;
    private final Map<String, Long> ends = new LinkedHashMap<>();
    private final AtomicBoolean told = new AtomicBoolean();

    /**
     * Times counted from the JVM's start for the first proxy of a JVM (the jar: the whole start-up), else from now
     * (a further proxy in the same JVM, as in the tests and the demo).
     */
    public StartupTimes() {
        boolean first = JVM_COUNTED.compareAndSet(false, true);
        this.jvmStart = first ? ManagementFactory.getRuntimeMXBean().getStartTime() : System.currentTimeMillis();
        this.origin = first ? "the JVM started" : "its configuration started";
    }

    /** The phase {@code phase} ends now. */
    public synchronized void end(String phase) {
        ends.putIfAbsent(phase, System.currentTimeMillis() - jvmStart);
        if (ends.containsKey(ROUTES) && ends.containsKey(XMPP) && told.compareAndSet(false, true)) {
            LOG.info(line());
        }
    }

    /** The ready line, once the routes run and XMPP is logged in. */
    synchronized String line() {
        long ready = Math.max(ends.get(ROUTES), ends.get(XMPP));
        StringJoiner phases = new StringJoiner(", ");
        long before = 0;
        for (Map.Entry<String, Long> end : ends.entrySet()) {
            if (!end.getKey().equals(XMPP)) {
                phases.add(String.format(
                        java.util.Locale.ROOT, "%s %.1f s", end.getKey(), (end.getValue() - before) / 1000.0));
                before = end.getValue();
            }
        }
        return String.format(
                java.util.Locale.ROOT,
                "Ready %.1f s after %s: %s (XMPP logged in at %.1f s)",
                ready / 1000.0,
                origin,
                phases,
                ends.get(XMPP) / 1000.0);
    }
}
