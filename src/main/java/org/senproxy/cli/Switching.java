package org.senproxy.cli;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import javax.sql.DataSource;

import org.senproxy.audit.AuditTrail;
import org.senproxy.switches.Switches;
import picocli.CommandLine.Model.CommandSpec;

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

    /** The actor of a change: the option's value, else the system user name (as {@link Signer#actor}). */
    static String actor(String option) {
        return option != null ? option : System.getProperty("user.name", "operator");
    }
}
