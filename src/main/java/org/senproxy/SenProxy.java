package org.senproxy;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import org.senproxy.cli.AppsCommand;
import org.senproxy.cli.AuditCommand;
import org.senproxy.cli.Cli;
import org.senproxy.cli.ConnectorsCommand;
import org.senproxy.cli.ConsentsCommand;
import org.senproxy.cli.CredentialsCommand;
import org.senproxy.cli.DeadLettersCommand;
import org.senproxy.cli.KeysCommand;
import org.senproxy.cli.PeersCommand;
import org.senproxy.cli.SenmlCommand;
import org.senproxy.cli.SubscriptionsCommand;
import org.senproxy.cli.TraceCommand;
import org.senproxy.cli.TransformCommand;
import org.senproxy.runtime.ProxyApplication;
import org.senproxy.runtime.SettingsDeclaration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The one entry point: {@code java -jar target/sen-proxy.jar} runs the proxy; operator tasks are
 * subcommands, each with --help.
 */
@Command(
        name = "sen-proxy",
        mixinStandardHelpOptions = true,
        version = "sen-proxy 0.1",
        description = {
            "Federated energy-data exchange: SenML over XMPP.",
            "Without a subcommand, runs the proxy configured by application.properties and the environment."
        },
        subcommands = {
            SenProxy.Run.class,
            SenmlCommand.class,
            TransformCommand.class,
            TraceCommand.class,
            DeadLettersCommand.class,
            KeysCommand.class,
            AppsCommand.class,
            ConsentsCommand.class,
            SubscriptionsCommand.class,
            AuditCommand.class,
            CredentialsCommand.class,
            ConnectorsCommand.class,
            PeersCommand.class
        })
public final class SenProxy implements Callable<Integer> {

    @Option(
            names = "--verbose",
            scope = ScopeType.INHERIT,
            description =
                    "on an error, print its Java stack trace" + " too (by default: one line saying what went wrong)")
    boolean verbose;

    public static void main(String[] args) {
        chooseLogFormat();
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line with its error handling: an operator's mistake or an unreachable database is one line on stderr
     * (exit 1), not a Java stack trace, unless {@code --verbose}.
     */
    public static CommandLine commandLine() {
        return new CommandLine(new SenProxy()).setExecutionExceptionHandler((e, command, parsed) -> {
            PrintWriter err = command.getErr();
            err.println("sen-proxy " + command.getCommandName() + ": " + oneLine(e));
            if (parsed.originalArgs().contains("--verbose")) {
                e.printStackTrace(err);
            } else {
                err.println("(--verbose prints the details)");
            }
            err.flush();
            return Cli.FAILED;
        });
    }

    /** What went wrong, in one line: the error's message and, when it says more, its root cause's. */
    static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message =
                firstLine(e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
        String cause = root == e || root.getMessage() == null ? null : firstLine(root.getMessage());
        return cause == null || message.contains(cause) ? message : message + ": " + cause;
    }

    private static String firstLine(String text) {
        int end = text.indexOf('\n');
        return end < 0 ? text : text.substring(0, end);
    }

    /**
     * SENPROXY_LOG_FORMAT=json (environment variable or -D) logs JSON lines (logback-json.xml) instead of text
     * (logback.xml). Decided before anything logs, since logback reads its configuration once; a
     * -Dlogback.configurationFile of the operator's own wins.
     */
    private static void chooseLogFormat() {
        String format = SettingsDeclaration.environment("SENPROXY_LOG_FORMAT");
        if ("json".equalsIgnoreCase(format) && System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "logback-json.xml");
        }
    }

    @Override
    public Integer call() throws Exception {
        return new Run().call();
    }

    @Command(
            name = "run",
            mixinStandardHelpOptions = true,
            description = {
                "Runs the proxy until stopped (Ctrl-C or SIGTERM).",
                "Home folder: SENPROXY_HOME or the working directory; it holds application.properties,",
                "routes/, connectors/ and transforms/."
            })
    static final class Run implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            ProxyApplication.fromEnvironment().run();
            return 0;
        }
    }
}
