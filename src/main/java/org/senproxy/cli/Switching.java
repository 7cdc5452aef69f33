package org.senproxy.cli;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

import javax.sql.DataSource;

import org.senproxy.audit.AuditTrail;
import org.senproxy.switches.Switches;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** What {@code connectors} and {@code peers} share: the kill-switch on the proxy's database, its listing and changes. */
final class Switching {

    private Switching() {}

    /** The proxy's switches; connectors named by its senproxy.connectors (as the proxy reads it) are known. */
    static Switches switches(ProxyDatabase database) {
        DataSource dataSource = database.migrated();
        String named = database.settings().get("senproxy.connectors");
        List<String> connectors = named == null
                ? List.of()
                : Arrays.stream(named.split(","))
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .toList();
        return new Switches(
                dataSource,
                new AuditTrail(dataSource, Clock.systemUTC()),
                Clock.systemUTC(),
                Duration.ZERO,
                connectors);
    }

    static int list(CommandSpec spec, ProxyDatabase database, String kind) throws Exception {
        return Cli.list(
                spec,
                out -> print(
                        out,
                        switches(database).read().stream()
                                .filter(s -> s.kind().equals(kind))
                                .toList()));
    }

    static void print(PrintWriter out, List<Switches.Switch> switches) {
        for (Switches.Switch s : switches) {
            out.printf(
                    "%-28s %-10s%s%n",
                    s.name(),
                    s.state(),
                    s.changedAt() == null
                            ? ""
                            : "  " + s.changedAt() + " by " + s.changedBy()
                                    + (s.reason() == null ? "" : ": " + s.reason()));
        }
        out.println(switches.size() + " "
                + (switches.isEmpty() || !Switches.PEER.equals(switches.get(0).kind()) ? "connector(s)" : "peer(s)"));
    }

    static int set(
            CommandSpec spec,
            ProxyDatabase database,
            String kind,
            String name,
            boolean enabled,
            String reason,
            String actor)
            throws Exception {
        return Cli.change(spec, () -> {
            Switches.Change change = switches(database).set(kind, name, enabled, reason, actor(actor));
            return kind + " " + name + " " + change.now().state() + (change.changed() ? "" : " (it was already)")
                    + (change.changed() ? "; every replica obeys within senproxy.switch.refresh-ms" : "");
        });
    }

    /** A switch turned off ({@code connectors disable}, {@code peers suspend}): the reason is required. */
    abstract static class TurnOff implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Parameters(paramLabel = "NAME", description = "the connector (its file's stem) or the peer (its app name)")
        String name;

        @Option(
                names = "--reason",
                required = true,
                description = "why, as the audit trail and the status page show it (a suspended peer reads it in"
                        + " its deferrals)")
        String reason;

        @Option(
                names = "--actor",
                description = "who changes it, as the audit trail records it (default: the system user name)")
        String actor;

        /** {@link Switches#CONNECTOR} or {@link Switches#PEER}. */
        abstract String kind();

        @Override
        public Integer call() throws Exception {
            return set(spec, database, kind(), name, false, reason, actor);
        }
    }

    /** A switch turned on again ({@code connectors enable}, {@code peers resume}): the reason is optional. */
    abstract static class TurnOn implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Parameters(paramLabel = "NAME", description = "the connector (its file's stem) or the peer (its app name)")
        String name;

        @Option(names = "--reason", description = "why, as the audit trail records it (optional)")
        String reason;

        @Option(
                names = "--actor",
                description = "who changes it, as the audit trail records it (default: the system user name)")
        String actor;

        abstract String kind();

        @Override
        public Integer call() throws Exception {
            return set(spec, database, kind(), name, true, reason, actor);
        }
    }

    /** The actor of a change: the option's value, else the system user name (as {@link Signer#actor}). */
    static String actor(String option) {
        return option != null ? option : System.getProperty("user.name", "operator");
    }
}
