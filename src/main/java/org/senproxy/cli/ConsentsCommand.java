package org.senproxy.cli;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.concurrent.Callable;

import javax.sql.DataSource;

import org.senproxy.audit.AuditTrail;
import org.senproxy.consent.Consent;
import org.senproxy.consent.Consents;
import org.senproxy.consent.Scope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sen-proxy consents grant|list|narrow|revoke}: the data owners' consents on the sending side. */
@Command(
        name = "consents",
        mixinStandardHelpOptions = true,
        description = {
            "Consents: a data owner grants an app access to a scope of series. A consent has two periods:"
                    + " access (--from/--until: when the app may receive or ask) and data (--data-from/--data-until:"
                    + " which measurement times it covers; default: from the access start, open end). A consumer sends"
                    + " only under a consent in force, and only records measured in its data period; revoking one"
                    + " withholds its unsent messages at once. Each change is signed by its maker (--key, whose public half"
                    + " sen-proxy keys trust registered for the maker) and recorded in the audit trail."
        },
        subcommands = {
            ConsentsCommand.Grant.class,
            ConsentsCommand.List.class,
            ConsentsCommand.Narrow.class,
            ConsentsCommand.Revoke.class
        })
public final class ConsentsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return Cli.missingSubcommand(spec);
    }

    static Consents consents(DataSource dataSource) {
        return new Consents(dataSource, new AuditTrail(dataSource, Clock.systemUTC()));
    }

    @Command(
            name = "grant",
            mixinStandardHelpOptions = true,
            description = {
                "Records a consent and prints its ref: give the ref to the receiving proxy's operator"
                        + " (sen-proxy subscriptions add there), whose proxy accepts data under it only."
            })
    static final class Grant implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Mixin
        Signer signer;

        @Option(names = "--user", required = true, description = "the data owner's external id (created if new)")
        String user;

        @Option(names = "--app", required = true, description = "the app granted access (sen-proxy apps add)")
        String app;

        @Option(
                names = "--scope",
                required = true,
                description = "the series: patterns with *, comma separated," + " e.g. 'urn:dev:mac:0004a3*'")
        String scope;

        @Option(names = "--from", description = "ISO 8601 instant the consent starts (default: now)")
        Instant from;

        @Option(names = "--until", required = true, description = "ISO 8601 instant the consent ends")
        Instant until;

        @Option(
                names = "--data-from",
                description = "ISO 8601 instant: the earliest measurement time the consent"
                        + " covers (default: the access start, --from)")
        Instant dataFrom;

        @Option(
                names = "--data-until",
                description = "ISO 8601 instant: measurements from then on are not covered"
                        + " (default: open, up to the access end)")
        Instant dataUntil;

        @Option(names = "--source", description = "a local source (connector route id) to send under it; repeatable")
        java.util.List<String> sources = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            try {
                Scope.parse(scope)
                        .warnings()
                        .forEach(w -> spec.commandLine().getErr().println("warning: " + w));
            } catch (IllegalArgumentException invalid) {
                // the grant says why, below
            }
            return Cli.change(spec, () -> {
                DataSource dataSource = database.migrated();
                return consents(dataSource)
                        .grant(
                                new Consents.Grant(user, app, scope, from, until, dataFrom, dataUntil, sources),
                                signer.actor(),
                                signer.key(dataSource));
            });
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the consents, newest first.")
    static final class List implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Override
        public Integer call() throws Exception {
            return Cli.list(spec, out -> {
                Instant now = Instant.now();
                for (Consent k : consents(database.migrated()).list()) {
                    out.printf(
                            "%s  %-13s user %s -> app %s (%s)%n"
                                    + "    scope %s, sources %s, granted by %s%n"
                                    + "    access %s .. %s, data %s%s%n",
                            k.ref(),
                            k.state(now),
                            k.user(),
                            k.app(),
                            k.appJid(),
                            k.scope(),
                            k.sources(),
                            k.grantedBy(),
                            k.validFrom(),
                            k.validUntil(),
                            k.data().from() + " .. "
                                    + (k.data().until() == null
                                            ? "(up to the access end)"
                                            : k.data().until()),
                            k.revokedAt() == null
                                    ? ""
                                    : String.format(
                                            "%n    revoked %s by %s: %s",
                                            k.revokedAt(), k.revokedBy(), k.revokeReason()));
                }
            });
        }
    }

    @Command(
            name = "narrow",
            mixinStandardHelpOptions = true,
            description = {
                "Narrows a consent's data period (a later --data-from, an earlier --data-until). Messages"
                        + " already queued under it keep only their records inside the new period: the others are"
                        + " withheld before they are sent. Widening is a new grant."
            })
    static final class Narrow implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Mixin
        Signer signer;

        @Parameters(index = "0", description = "the consent's ref")
        String ref;

        @Option(names = "--data-from", description = "ISO 8601 instant: the new earliest measurement time")
        Instant dataFrom;

        @Option(names = "--data-until", description = "ISO 8601 instant: the new end, excluded")
        Instant dataUntil;

        @Override
        public Integer call() throws Exception {
            return Cli.change(spec, () -> {
                DataSource dataSource = database.migrated();
                Consents.Narrowed n =
                        consents(dataSource).narrow(ref, dataFrom, dataUntil, signer.actor(), signer.key(dataSource));
                return "consent " + ref + " covers data " + n.after() + " (was " + n.before() + "); "
                        + n.queuedOutside() + " queued message(s) hold records outside it: those records are"
                        + " withheld when the messages come due";
            });
        }
    }

    @Command(
            name = "revoke",
            mixinStandardHelpOptions = true,
            description = {
                "Revokes a consent: its consumers stop sending, and its messages not yet acknowledged are"
                        + " withheld (status revoked, with the reason)."
            })
    static final class Revoke implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Mixin
        Signer signer;

        @Parameters(index = "0", description = "the consent's ref")
        String ref;

        @Option(
                names = "--reason",
                required = true,
                description = "why, as the audit trail and the withheld" + " messages record it")
        String reason;

        @Override
        public Integer call() throws Exception {
            return Cli.change(spec, () -> {
                DataSource dataSource = database.migrated();
                return "consent " + ref + " revoked; "
                        + consents(dataSource).revoke(ref, reason, signer.actor(), signer.key(dataSource))
                        + " message(s) withheld";
            });
        }
    }
}
