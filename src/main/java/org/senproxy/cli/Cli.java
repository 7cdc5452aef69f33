package org.senproxy.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import ch.qos.logback.classic.Level;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Model.CommandSpec;

/** What the operator subcommands share: exit codes, standard input, quiet logs. */
public final class Cli {

    /** The input was read and is valid. */
    public static final int OK = 0;
    /** Something other than the input went wrong (a missing file, an I/O error). */
    public static final int FAILED = 1;
    /** The input is invalid; stderr says where (record index and field for SenML). */
    public static final int INVALID = 2;

    private Cli() {}

    /** Commands print results on stdout: the proxy's INFO logs (Camel start-up...) must not mix in. */
    public static void quietLogs() {
        if (LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(Level.WARN);
        }
    }

    /**
     * A command group called without one of its commands: its usage on stderr, and exit 2, so that a script that
     * misspells or leaves out a command notices (an unknown command is refused by picocli with 2 as well).
     */
    public static int missingSubcommand(CommandSpec spec) {
        spec.commandLine()
                .getErr()
                .println("sen-proxy " + spec.name() + ": which command? One of "
                        + String.join(", ", spec.subcommands().keySet()) + ".");
        spec.commandLine().usage(spec.commandLine().getErr());
        return INVALID;
    }

    /** The proxy's home folder: the option's value, else SENPROXY_HOME, else the working directory. */
    public static Path home(Path option) {
        return option != null ? option : Path.of(System.getenv().getOrDefault("SENPROXY_HOME", "."));
    }

    /** An operator's change whose refusal is the operator's input: prints what was done, or why not (exit 2). */
    @FunctionalInterface
    public interface Change {
        String make() throws Exception;
    }

    public static int change(CommandSpec spec, Change change) throws Exception {
        quietLogs();
        try {
            spec.commandLine().getOut().println(change.make());
            spec.commandLine().getOut().flush();
            return OK;
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return INVALID;
        }
    }

    /** A listing printed on stdout. */
    @FunctionalInterface
    public interface Listing {
        void print(PrintWriter out) throws Exception;
    }

    public static int list(CommandSpec spec, Listing listing) throws Exception {
        quietLogs();
        PrintWriter out = spec.commandLine().getOut();
        listing.print(out);
        out.flush();
        return OK;
    }

    public static String readAll(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
}
