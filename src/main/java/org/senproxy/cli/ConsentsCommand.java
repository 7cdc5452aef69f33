package org.senproxy.cli;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.concurrent.Callable;

import javax.sql.DataSource;

import org.senproxy.audit.AuditTrail;
import org.senproxy.consent.Consent;
import org.senproxy.consent.ConsentRequests;
import org.senproxy.consent.Consents;
import org.senproxy.consent.Scope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sen-proxy consents grant|list|narrow|revoke|request|requests|approve|refuse}: the data owners' consents on the
 * sending side, and the requests for them over the federation.
 */
@Command(
        name = "consents",
        mixinStandardHelpOptions = true,
        description = {
            "Consents: a data owner grants an app access to a scope of series. A consent has two periods:"
                    + " access (--from/--until: when the app may receive or ask) and data (--data-from/--data-until:"
                    + " which measurement times it covers; default: from the access start, open end). A consumer sends"
                    + " only under a consent in force, and only records measured in its data period; revoking one"
                    + " withholds its unsent messages at once. Each change is signed by its maker (--key, whose public half"
                    + " sen-proxy keys trust registered for the maker) and recorded in the audit trail.",
            "Between enrolled peers (peers join), the receiving side asks (consents request), the data holder answers"
                    + " (consents requests, approve, refuse) and each side follows by itself: a subscription added,"
                    + " the sources the catalogue says yield the series, a subscription ended when the consent is"
                    + " revoked."
        },
        subcommands = {
            ConsentsCommand.Grant.class,
            ConsentsCommand.List.class,
            ConsentsCommand.Narrow.class,
            ConsentsCommand.Revoke.class,
            ConsentsCommand.Request.class,
            ConsentsCommand.Requests.class,
            ConsentsCommand.Approve.class,
            ConsentsCommand.Refuse.class
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

        @Mixin
        ConsentTerms terms;

        @Option(names = "--app", required = true, description = "the app granted access (sen-proxy apps add)")
        String app;

        @Option(names = "--source", description = "a local source (connector route id) to send under it; repeatable")
        java.util.List<String> sources = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            try {
                Scope.parse(terms.scope)
                        .warnings()
                        .forEach(w -> spec.commandLine().getErr().println("warning: " + w));
            } catch (IllegalArgumentException invalid) {
                // the grant says why, below
            }
            return Cli.change(spec, () -> {
                DataSource dataSource = database.migrated();
                return consents(dataSource)
                        .grant(
                                new Consents.Grant(
                                        terms.user,
                                        app,
                                        terms.scope,
                                        terms.from,
                                        terms.until,
                                        terms.dataFrom,
                                        terms.dataUntil,
                                        sources),
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

    @Command(
            name = "request",
            mixinStandardHelpOptions = true,
            description = {
                "Asks an enrolled peer (the data holder) for a data owner's consent: the running proxy sends the"
                        + " request, signed; the peer's operator approves or refuses it. On approval this proxy"
                        + " subscribes by itself and data flows; consents requests shows the answer. Prints the"
                        + " request's ref (the same on both sides)."
            })
    static final class Request implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Option(names = "--peer", required = true, description = "the enrolled peer asked (its app name here)")
        String peer;

        @Mixin
        ConsentTerms terms;

        @Option(names = "--purpose", required = true, description = "what the data is for, as the data owner is told")
        String purpose;

        @Option(names = "--actor", description = "who asks, as the audit trail records it (default: the system user)")
        String actor;

        @Override
        public Integer call() throws Exception {
            return Cli.change(
                    spec,
                    () -> Enrolling.requests(database.migrated())
                            .request(
                                    peer,
                                    new ConsentRequests.Ask(
                                            terms.user,
                                            terms.scope,
                                            terms.from,
                                            terms.until,
                                            terms.dataFrom,
                                            terms.dataUntil,
                                            purpose),
                                    Switching.actor(actor)));
        }
    }

    @Command(
            name = "requests",
            mixinStandardHelpOptions = true,
            description = {"Lists the consent requests, received (in) and sent (out): the pending ones, or --all."})
    static final class Requests implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Option(names = "--all", description = "answered ones too")
        boolean all;

        @Override
        public Integer call() throws Exception {
            return Cli.list(spec, out -> {
                for (ConsentRequests.Listed r :
                        Enrolling.requests(database.migrated()).list(all)) {
                    ConsentRequests.Ask ask = r.ask();
                    out.printf(
                            "%s  %-3s %-8s %s %s (%s)%n    user %s, scope %s%n    access %s .. %s, data %s .. %s%n"
                                    + "    purpose: %s%n%s",
                            r.ref(),
                            r.direction(),
                            r.status(),
                            "in".equals(r.direction()) ? "from" : "to",
                            r.app(),
                            r.appJid(),
                            ask.user(),
                            ask.scope(),
                            ask.validFrom(),
                            ask.validUntil(),
                            ask.dataFrom(),
                            ask.dataUntil() == null ? "(up to the access end)" : ask.dataUntil(),
                            ask.purpose(),
                            r.consentRef() != null
                                    ? "    consent " + r.consentRef() + "\n"
                                    : r.reason() != null ? "    refused: " + r.reason() + "\n" : "");
                }
            });
        }
    }

    @Command(
            name = "approve",
            mixinStandardHelpOptions = true,
            description = {
                "Grants the consent a peer asked for (consents requests), signed by the data owner's key as consents"
                        + " grant is. The peer is told and subscribes by itself; the local connectors whose declared"
                        + " series the scope covers send under it (no --source by hand). Prints the consent's ref."
            })
    static final class Approve implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Mixin
        Signer signer;

        @Parameters(index = "0", paramLabel = "REF", description = "the request's ref")
        String ref;

        @Override
        public Integer call() throws Exception {
            return Cli.change(spec, () -> {
                DataSource dataSource = database.migrated();
                return Enrolling.requests(dataSource).approve(ref, signer.actor(), signer.key(dataSource));
            });
        }
    }

    @Command(
            name = "refuse",
            mixinStandardHelpOptions = true,
            description = {"Refuses a peer's consent request; the peer is told the reason."})
    static final class Refuse implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Parameters(index = "0", paramLabel = "REF", description = "the request's ref")
        String ref;

        @Option(names = "--reason", required = true, description = "why, as the peer is told")
        String reason;

        @Option(
                names = "--actor",
                description = "who refuses, as the audit trail records it (default: the system user)")
        String actor;

        @Override
        public Integer call() throws Exception {
            return Cli.change(spec, () -> {
                Enrolling.requests(database.migrated()).refuse(ref, reason, Switching.actor(actor));
                return "consent request " + ref + " refused; the peer is told";
            });
        }
    }
}
