package org.senproxy.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;

import org.senproxy.consent.CatalogueOffers;
import org.senproxy.federation.Enrollments;
import org.senproxy.federation.Invitation;
import org.senproxy.switches.Switches;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sen-proxy peers list|invite|join|catalogue|suspend|resume}: the peer proxies, by their app's name. A command group meant to grow
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
            "Two proxies enroll with each other from zero with invite (on the proxy that holds the data) and"
                    + " join (on the other): they exchange their keys over XMPP, each registering the other as an app"
                    + " (docs/federation.md).",
            "The database is the proxy's own (senproxy.db.url, .user, .password, as the proxy reads them)."
        },
        subcommands = {
            PeersCommand.List.class,
            PeersCommand.Invite.class,
            PeersCommand.Join.class,
            PeersCommand.Catalogue.class,
            PeersCommand.Suspend.class,
            PeersCommand.Resume.class
        })
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
            description =
                    "Lists the peers (the apps): active or suspended, when, who, why; then how each came (enrolled,"
                            + " pending, registered by hand) with its keys (kid, RFC 7638 thumbprint), and the invitations.")
    static final class List implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Override
        public Integer call() throws Exception {
            int listed = Switching.list(spec, database, Switches.PEER);
            return Cli.list(spec, out -> Enrolling.print(out, database.migrated())) == Cli.OK ? listed : Cli.FAILED;
        }
    }

    @Command(
            name = "invite",
            mixinStandardHelpOptions = true,
            description = {
                "Invites a proxy to enroll: prints one invitation string (this proxy's JID, a one-time secret, its"
                        + " key's fingerprint) to hand to the other organisation's operator, who runs peers join with"
                        + " it. The secret is not stored (only a key derived from it), works once, and expires.",
                "Exit status: 0 printed; 2 bad input (name taken, bad duration, no signing key or JID)."
            })
    static final class Invite implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Option(names = "--name", required = true, description = "the app name the peer gets here, e.g. city-monitor")
        String name;

        @Option(
                names = "--valid-for",
                defaultValue = "24h",
                description = "how long the invitation works: a number and s, m, h or d (default: ${DEFAULT-VALUE})")
        String validFor;

        @Option(
                names = "--actor",
                description = "who invites, as the audit trail records it (default: the system user)")
        String actor;

        @Override
        public Integer call() throws Exception {
            return Cli.change(spec, () -> {
                Enrollments.Issued issued = Enrolling.enrollments(database)
                        .invite(name, Enrolling.duration(validFor), Switching.actor(actor));
                return issued.invitation().encode();
            });
        }
    }

    @Command(
            name = "join",
            mixinStandardHelpOptions = true,
            description = {
                "Enrolls with the proxy that issued INVITATION: registers it as the app NAME (pending) and queues"
                        + " the enrollment request (this proxy's public key and proof of the invitation's secret),"
                        + " which the running proxy sends. The other proxy answers with its key, signed; peers list then"
                        + " shows it enrolled.",
                "Exit status: 0 queued (or, with --wait, enrolled); 1 refused, or still pending after --wait;"
                        + " 2 bad input (damaged invitation, name taken, no signing key or JID)."
            })
    static final class Join implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Parameters(paramLabel = "INVITATION", description = "the string peers invite printed (senproxy-invite:v1:...)")
        String invitation;

        @Option(names = "--name", required = true, description = "the app name the inviting proxy gets here")
        String name;

        @Option(
                names = "--wait",
                defaultValue = "0s",
                description = "wait this long for the answer (e.g. 30s; default: return at once)")
        String wait;

        @Option(names = "--actor", description = "who joins, as the audit trail records it (default: the system user)")
        String actor;

        @Override
        public Integer call() throws Exception {
            String[] messageId = new String[1];
            Duration waiting;
            try {
                waiting = Enrolling.duration(wait);
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println(e.getMessage());
                return Cli.INVALID;
            }
            int queued = Cli.change(spec, () -> {
                Invitation parsed = Invitation.parse(invitation);
                messageId[0] = Enrolling.enrollments(database).join(parsed, name, Switching.actor(actor));
                return "enrollment request " + messageId[0] + " queued for " + parsed.jid() + " (app " + name
                        + "): the running proxy sends it; peers list shows it pending, then enrolled";
            });
            if (queued != Cli.OK || waiting.isZero()) {
                return queued;
            }
            long end = System.nanoTime() + waiting.toNanos();
            String state;
            do {
                state = Enrolling.state(database.migrated(), messageId[0]);
                if (!"pending".equals(state)) {
                    break;
                }
                Thread.sleep(250);
            } while (System.nanoTime() < end);
            spec.commandLine().getOut().println(name + ": " + state);
            spec.commandLine().getOut().flush();
            return "enrolled".equals(state) ? Cli.OK : Cli.FAILED;
        }
    }

    @Command(
            name = "catalogue",
            mixinStandardHelpOptions = true,
            description = {
                "What the peer NAME offers (the series its connectors declare, as its enrollment's answer and its"
                        + " catalogue changes told it), each with the subscriptions here that may receive it; then what"
                        + " this proxy offered it, each with the consents here it is sent under.",
                "A series no subscription covers is not sent: ask for it with consents request.",
                "Exit status: 0 listed; 2 no such peer."
            })
    static final class Catalogue implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Parameters(paramLabel = "NAME", description = "the peer's app name (peers list)")
        String name;

        @Override
        public Integer call() throws Exception {
            CatalogueOffers.Offers offers = CatalogueOffers.of(database.migrated(), name);
            if (offers == null) {
                spec.commandLine().getErr().println("no peer " + name + " here (peers list shows them)");
                return Cli.INVALID;
            }
            return Cli.list(spec, out -> {
                out.println(name + " (" + offers.jid() + ")");
                half(
                        out,
                        offers.received(),
                        "offers here",
                        "nothing told yet",
                        "may receive: subscription ",
                        "not received: no subscription here covers it");
                half(
                        out,
                        offers.offered(),
                        "offered there",
                        "nothing yet",
                        "sent under consent ",
                        "not sent: no consent here covers it");
            });
        }
    }

    /** One half of a peer's catalogue: each series with the grants that cover it, or why it does not flow. */
    private static void half(
            PrintWriter out, CatalogueOffers.Half half, String title, String none, String covered, String notCovered) {
        if (half.at() == null) {
            out.println(title + ": " + none);
            return;
        }
        out.printf("%s: %d series (version %d, %s)%n", title, half.entries().size(), half.version(), half.at());
        for (CatalogueOffers.Entry e : half.entries()) {
            out.printf(
                    "  %-48s %s%n",
                    e.identifier(), e.grants().isEmpty() ? notCovered : covered + String.join(", ", e.grants()));
        }
    }

    @Command(
            name = "suspend",
            mixinStandardHelpOptions = true,
            description = {
                "Suspends a peer: nothing sent to it, its messages deferred.",
                "Exit status: 0 done (or it was suspended already); 2 unknown app or no reason."
            })
    static final class Suspend extends Switching.TurnOff {
        @Override
        String kind() {
            return Switches.PEER;
        }
    }

    @Command(
            name = "resume",
            mixinStandardHelpOptions = true,
            description = {
                "Resumes a suspended peer: what waited for it is sent.",
                "Exit status: 0 done (or it was active already); 2 unknown app."
            })
    static final class Resume extends Switching.TurnOn {
        @Override
        String kind() {
            return Switches.PEER;
        }
    }
}
