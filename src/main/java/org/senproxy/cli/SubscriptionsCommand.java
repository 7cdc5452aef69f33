package org.senproxy.cli;

import java.time.Clock;
import java.util.concurrent.Callable;

import javax.sql.DataSource;

import org.senproxy.audit.AuditTrail;
import org.senproxy.consent.Subscriptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sen-proxy subscriptions add|list|end}: what the receiving side accepts. */
@Command(
        name = "subscriptions",
        mixinStandardHelpOptions = true,
        description = {
            "The receiving side's subscriptions: data from an app is accepted only under a consent ref"
                    + " held here for that app, for series in the subscription's scope. Each change is signed by its"
                    + " maker (--key, whose public half sen-proxy keys trust registered for the maker) and recorded in"
                    + " the audit trail."
        },
        subcommands = {SubscriptionsCommand.Add.class, SubscriptionsCommand.List.class, SubscriptionsCommand.End.class})
public final class SubscriptionsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return Cli.missingSubcommand(spec);
    }

    static Subscriptions subscriptions(DataSource dataSource) {
        return new Subscriptions(dataSource, new AuditTrail(dataSource, Clock.systemUTC()), true);
    }

    @Command(
            name = "add",
            mixinStandardHelpOptions = true,
            description = "Accepts data from an app under a consent (the ref its operator's consents grant printed).")
    static final class Add implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Mixin
        Signer signer;

        @Option(names = "--app", required = true, description = "the sending app (sen-proxy apps add)")
        String app;

        @Option(names = "--consent", required = true, description = "the consent's ref")
        String consent;

        @Option(
                names = "--scope",
                required = true,
                description = "the series accepted, as the sender names them:" + " patterns with *, comma separated")
        String scope;

        @Override
        public Integer call() throws Exception {
            return Cli.change(spec, () -> {
                DataSource dataSource = database.migrated();
                subscriptions(dataSource).add(app, consent, scope, signer.actor(), signer.key(dataSource));
                return "subscribed to " + app + " under consent " + consent;
            });
        }
    }

    @Command(
            name = "end",
            mixinStandardHelpOptions = true,
            description = "Ends a subscription: the app's messages under that consent are refused from now on.")
    static final class End implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Mixin
        Signer signer;

        @Option(names = "--app", required = true, description = "the sending app")
        String app;

        @Option(names = "--consent", required = true, description = "the consent's ref")
        String consent;

        @Override
        public Integer call() throws Exception {
            return Cli.change(spec, () -> {
                DataSource dataSource = database.migrated();
                subscriptions(dataSource).end(app, consent, signer.actor(), signer.key(dataSource));
                return "subscription to " + app + " under consent " + consent + " ended";
            });
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the subscriptions, newest first.")
    static final class List implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Override
        public Integer call() throws Exception {
            return Cli.list(spec, out -> {
                for (Subscriptions.Held s : subscriptions(database.migrated()).list()) {
                    out.printf(
                            "%s  %-6s from %s (%s), scope %s, since %s%s%n",
                            s.consentRef(),
                            s.active() ? "active" : "ended",
                            s.app(),
                            s.appJid(),
                            s.scope(),
                            s.createdAt(),
                            s.endedAt() == null
                                    ? ""
                                    : ", ended " + s.endedAt() + (s.endReason() == null ? "" : ": " + s.endReason()));
                }
            });
        }
    }
}
