package org.senproxy.cli;

import java.util.concurrent.Callable;

import org.senproxy.switches.Switches;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sen-proxy peers list|suspend|resume}: the peer proxies, by their app's name. A command group meant to grow
 * (issue 20 adds {@code invite} and {@code join}): each subcommand is a class of its own, listed below.
 */
@Command(
        name = "peers",
        mixinStandardHelpOptions = true,
        description = {
            "The peer proxies, by their app's name (sen-proxy apps add). Suspending one stops the exchange"
                    + " both ways, without a restart, on every replica within senproxy.switch.refresh-ms: nothing is sent"
                    + " to it (its messages wait in the outbox; they do not become dead letters for it), and its messages"
                    + " are refused as deferred, with the reason, so that its outbox keeps them. Resuming sends what"
                    + " waited. Each change is audited (who, why).",
            "The database is the proxy's own (senproxy.db.url, .user, .password, as the proxy reads them)."
        },
        subcommands = {PeersCommand.List.class, PeersCommand.Suspend.class, PeersCommand.Resume.class})
public final class PeersCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return Cli.missingSubcommand(spec);
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "Lists the peers (the apps): active or suspended, when, who, why.")
    static final class List implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Override
        public Integer call() throws Exception {
            return Switching.list(spec, database, Switches.PEER);
        }
    }

    @Command(
            name = "suspend",
            mixinStandardHelpOptions = true,
            description = {
                "Suspends a peer: nothing sent to it, its messages deferred.",
                "Exit status: 0 done (or it was suspended already); 2 unknown app or no reason."
            })
    static final class Suspend implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Parameters(paramLabel = "NAME", description = "the peer's app name")
        String name;

        @Option(
                names = "--reason",
                required = true,
                description = "why, as the audit trail, the status page and the" + " peer (in its deferrals) read it")
        String reason;

        @Option(
                names = "--actor",
                description = "who suspends it, as the audit trail records it (default: the system" + " user name)")
        String actor;

        @Override
        public Integer call() throws Exception {
            return Switching.set(spec, database, Switches.PEER, name, false, reason, actor);
        }
    }

    @Command(
            name = "resume",
            mixinStandardHelpOptions = true,
            description = {
                "Resumes a suspended peer: what waited for it is sent.",
                "Exit status: 0 done (or it was active already); 2 unknown app."
            })
    static final class Resume implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Parameters(paramLabel = "NAME", description = "the peer's app name")
        String name;

        @Option(names = "--reason", description = "why, as the audit trail records it (optional)")
        String reason;

        @Option(
                names = "--actor",
                description = "who resumes it, as the audit trail records it (default: the system" + " user name)")
        String actor;

        @Override
        public Integer call() throws Exception {
            return Switching.set(spec, database, Switches.PEER, name, true, reason, actor);
        }
    }
}
