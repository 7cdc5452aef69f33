package org.senproxy.cli;

import java.util.concurrent.Callable;

import org.senproxy.switches.Switches;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code sen-proxy connectors list|disable|enable}: the kill-switch of the local connectors. */
@Command(
        name = "connectors",
        mixinStandardHelpOptions = true,
        description = {
            "Turns a connector off and on again, without a restart: the switch is in the database, so every"
                    + " replica obeys it within senproxy.switch.refresh-ms, and it outlives restarts. A disabled source"
                    + " stops polling and keeps its watermark: enabled again, it catches up, nothing lost, nothing read"
                    + " twice. A disabled sink receives nothing: messages are still stored and acknowledged to their"
                    + " senders, and delivered once it is enabled. Each change is audited (who, why).",
            "The database is the proxy's own (senproxy.db.url, .user, .password, as the proxy reads them)."
        },
        subcommands = {ConnectorsCommand.List.class, ConnectorsCommand.Disable.class, ConnectorsCommand.Enable.class})
public final class ConnectorsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return Cli.missingSubcommand(spec);
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "Lists the connectors (senproxy.connectors, and any switched before): state, when, who, why.")
    static final class List implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Override
        public Integer call() throws Exception {
            return Switching.list(spec, database, Switches.CONNECTOR);
        }
    }

    @Command(
            name = "disable",
            mixinStandardHelpOptions = true,
            description = {
                "Disables a connector (its name: its file's stem, e.g. ecodevices-source).",
                "Exit status: 0 done (or it was disabled already); 2 unknown connector or no reason."
            })
    static final class Disable extends Switching.TurnOff {
        @Override
        String kind() {
            return Switches.CONNECTOR;
        }
    }

    @Command(
            name = "enable",
            mixinStandardHelpOptions = true,
            description = {
                "Enables a disabled connector again.",
                "Exit status: 0 done (or it was enabled already); 2 unknown connector."
            })
    static final class Enable extends Switching.TurnOn {
        @Override
        String kind() {
            return Switches.CONNECTOR;
        }
    }
}
