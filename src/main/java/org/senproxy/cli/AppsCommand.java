package org.senproxy.cli;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.concurrent.Callable;

import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;
import org.senproxy.db.Sql;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sen-proxy apps add|list}: the federated applications this proxy exchanges with. */
@Command(
        name = "apps",
        mixinStandardHelpOptions = true,
        description = {
            "The federated applications (peer proxies) this proxy knows, by name and XMPP address. Only a"
                    + " registered app may send to this proxy; consents grant data to one."
        },
        subcommands = {AppsCommand.Add.class, AppsCommand.List.class})
public final class AppsCommand implements Callable<Integer> {

    private static final Sql ADD = Sql.of(AppsCommand.class, "app-add");
    private static final Sql LIST = Sql.of(AppsCommand.class, "app-list");

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return Cli.missingSubcommand(spec);
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Registers an app (or changes its address).")
    static final class Add implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Option(names = "--name", required = true, description = "the app's name, e.g. city-monitoring")
        String name;

        @Option(names = "--jid", required = true, description = "its proxy's bare JID, e.g. proxy-b@example.org")
        String jid;

        @Override
        public Integer call() throws Exception {
            Cli.quietLogs();
            String bare;
            try {
                bare = JidCreate.entityBareFrom(jid).toString();
            } catch (XmppStringprepException | IllegalArgumentException e) {
                spec.commandLine().getErr().println("'" + jid + "' is not a bare JID (local@domain)");
                return Cli.INVALID;
            }
            try (Connection c = database.migrated().getConnection()) {
                ADD.update(c, ADD.params().text("name", name).text("jid", bare));
            }
            spec.commandLine().getOut().println("app " + name + " at " + bare);
            spec.commandLine().getOut().flush();
            return Cli.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the apps: name, JID, keys.")
    static final class List implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Override
        public Integer call() throws Exception {
            return Cli.list(spec, out -> {
                try (Connection c = database.migrated().getConnection();
                        PreparedStatement ps = LIST.prepare(c, LIST.params());
                        ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.printf("%-24s %-40s %d valid key(s)%n", rs.getString(1), rs.getString(2), rs.getInt(3));
                    }
                }
            });
        }
    }
}
