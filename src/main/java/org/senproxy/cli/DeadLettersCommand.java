package org.senproxy.cli;

import java.io.PrintWriter;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Callable;

import javax.sql.DataSource;

import org.senproxy.delivery.DeadLetters;
import org.senproxy.federation.ControlMessages;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sen-proxy dead-letters list|replay}: what could not be sent or delivered, and sending it again. */
@Command(
        name = "dead-letters",
        mixinStandardHelpOptions = true,
        description = {
            "Lists this proxy's dead letters (what could not be sent or delivered, with the reason) and"
                    + " replays them: a replayed outbox or inbox row is queued again with fresh attempts; the dead"
                    + " letter stays, marked replayed. A refused inbound message has no row: its sender must send it"
                    + " again.",
            "The database is the proxy's own (senproxy.db.url, .user, .password, as the proxy reads them)."
        },
        subcommands = {DeadLettersCommand.ListLetters.class, DeadLettersCommand.Replay.class})
public final class DeadLettersCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return Cli.missingSubcommand(spec);
    }

    abstract static class DatabaseCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        /** The proxy's database, brought up to date once per command. */
        DataSource dataSource;

        @Override
        public Integer call() {
            Cli.quietLogs();
            try {
                dataSource = database.migrated();
                return run(new DeadLetters(dataSource), spec.commandLine().getOut());
            } catch (SQLException e) {
                spec.commandLine().getErr().println("Cannot read the database: " + e.getMessage());
                return Cli.FAILED;
            } finally {
                spec.commandLine().getOut().flush();
            }
        }

        abstract int run(DeadLetters deadLetters, PrintWriter out) throws SQLException;
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "Lists dead letters, newest first: id, when, origin and route, peer, attempts, correlation"
                    + " id, reason; then the dead control messages (enrollment, keys, consents, catalogue: refused by"
                    + " the peer, or never acknowledged), with their reason.")
    static final class ListLetters extends DatabaseCommand {
        @Option(names = "--all", description = "also those replayed already")
        boolean all;

        @Option(names = "--limit", defaultValue = "100", description = "at most this many (default ${DEFAULT-VALUE})")
        int limit;

        @Override
        int run(DeadLetters deadLetters, PrintWriter out) throws SQLException {
            List<DeadLetters.Listed> letters = deadLetters.list(limit, all);
            for (DeadLetters.Listed l : letters) {
                out.printf(
                        "%d  %s  %s (%s)  %s  %d attempt(s)  corr %s%s%n    %s%n",
                        l.id(),
                        l.createdAt(),
                        l.origin(),
                        l.routeId(),
                        l.peerJid(),
                        l.attempts(),
                        l.correlationId(),
                        l.replayedAt() == null ? "" : "  replayed " + l.replayedAt(),
                        l.reason());
            }
            out.println(letters.size() + " dead letter(s)");
            List<ControlMessages.Dead> control = ControlMessages.dead(dataSource, limit);
            for (ControlMessages.Dead d : control) {
                out.printf(
                        "control %d  %s  %s to %s%s  %d attempt(s)  id %s%n    %s%n",
                        d.id(),
                        d.createdAt(),
                        d.type(),
                        d.peerJid(),
                        d.about() == null ? "" : " (" + d.about() + ")",
                        d.attempts(),
                        d.messageId(),
                        d.reason());
            }
            if (!control.isEmpty()) {
                out.println(control.size() + " dead control message(s): not replayed (what they were about was undone"
                        + " or kept as it was; run the command again: peers join, consents approve, keys rotate...)");
            }
            return Cli.OK;
        }
    }

    @Command(
            name = "replay",
            mixinStandardHelpOptions = true,
            description = {
                "Queues the row of a dead letter again (or of every open one with --all).",
                "Exit status: 0 replayed; 1 not found or not replayable; 2 bad arguments."
            })
    static final class Replay extends DatabaseCommand {
        @Parameters(arity = "0..1", paramLabel = "<id>", description = "the dead letter's id (see list)")
        Long id;

        @Option(names = "--all", description = "every dead letter not replayed yet")
        boolean all;

        @Override
        int run(DeadLetters deadLetters, PrintWriter out) throws SQLException {
            if (all == (id != null)) {
                spec.commandLine().getErr().println("Give a dead letter's id, or --all");
                return Cli.INVALID;
            }
            if (all) {
                out.println(deadLetters.replayAll() + " dead letter(s) replayed");
                return Cli.OK;
            }
            DeadLetters.Replay outcome = deadLetters.replay(id);
            out.println(
                    "dead letter " + id + ": " + outcome.name().toLowerCase().replace('_', ' '));
            return outcome == DeadLetters.Replay.REPLAYED ? Cli.OK : Cli.FAILED;
        }
    }
}
