package org.senproxy.cli;

import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

import javax.sql.DataSource;

import com.nimbusds.jose.jwk.ECKey;
import org.senproxy.audit.AuditTrail;
import org.senproxy.audit.ProxyKeys;
import org.senproxy.runtime.StartupSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sen-proxy audit verify|head|export}: the hash-chained audit trail. */
@Command(
        name = "audit",
        mixinStandardHelpOptions = true,
        description = {
            "The audit trail: every consent and subscription change (signed by its maker) and every"
                    + " transfer (series, period, peer, consent, digest, outcome), in an append-only hash chain."
        },
        subcommands = {AuditCommand.Verify.class, AuditCommand.Head.class, AuditCommand.Export.class})
public final class AuditCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return Cli.missingSubcommand(spec);
    }

    /**
     * The trail as verify reads it: the proxy's public keys are those of senproxy.signing.key-file and
     * senproxy.audit.trusted-key-files in the proxy's settings, and of the --proxy-key files.
     */
    static AuditTrail trail(CommandSpec spec, ProxyDatabase database, List<Path> proxyKeys) {
        DataSource dataSource = database.migrated();
        StartupSettings settings = database.settings();
        List<ECKey> keys = new ArrayList<>();
        String own = settings.get("senproxy.signing.key-file");
        if (own != null) {
            try {
                keys.add(ProxyKeys.read(Path.of(own)).toPublicJWK());
            } catch (IllegalArgumentException unreadable) {
                spec.commandLine()
                        .getErr()
                        .println("warning: " + unreadable.getMessage() + " (give the proxy's"
                                + " public key with --proxy-key)");
            }
        }
        keys.addAll(ProxyKeys.read(settings.get(ProxyKeys.SETTING)));
        proxyKeys.forEach(file -> keys.add(ProxyKeys.read(file).toPublicJWK()));
        return new AuditTrail(dataSource, Clock.systemUTC(), null, keys);
    }

    @Command(
            name = "verify",
            mixinStandardHelpOptions = true,
            description = {
                "Checks the whole chain: each entry's link to the one before and its hash; each checkpoint's"
                        + " signature by the proxy's key and the entry it names; each change's signature by a key"
                        + " registered for its maker (keys trust); and that the oldest entries went only by the audit"
                        + " retention (the anchor is the one its newest signed checkpoint names). Exit code 0 when intact,"
                        + " 2 at the first broken entry, which it names.",
                "Prints the head (SEQ:HASH): keep heads outside the database and check them with --expect-head, to"
                        + " detect the removal or rewrite of entries up to them."
            })
    static final class Verify implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Option(
                names = "--proxy-key",
                description = "a public JWK of the proxy that signs checkpoints, besides"
                        + " senproxy.signing.key-file and senproxy.audit.trusted-key-files; repeatable")
        List<Path> proxyKeys = new ArrayList<>();

        @Option(
                names = "--expect-head",
                description = "a head kept outside the database (SEQ:HASH, as audit head"
                        + " or audit verify printed it): it must still be in the chain, with that hash")
        String expectHead;

        @Override
        public Integer call() throws Exception {
            Cli.quietLogs();
            AuditTrail.Head kept;
            AuditTrail trail;
            try {
                kept = expectHead == null ? null : AuditTrail.Head.parse(expectHead);
                trail = trail(spec, database, proxyKeys);
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println(e.getMessage());
                return Cli.INVALID;
            }
            AuditTrail.Verification v = trail.verify(kept);
            if (v.intact()) {
                spec.commandLine()
                        .getOut()
                        .println("audit trail intact: " + v.rows() + " entries, head "
                                + v.headSeq() + ":" + v.headHash() + ", newest signed checkpoint "
                                + (v.checkpointSeq() == null ? "none" : "at entry " + v.checkpointSeq()));
                if (v.note() != null) {
                    spec.commandLine().getOut().println("note: " + v.note());
                }
                spec.commandLine().getOut().flush();
                return Cli.OK;
            }
            spec.commandLine()
                    .getErr()
                    .println("audit trail broken at entry " + v.brokenAt() + ": " + v.problem() + " (" + v.rows()
                            + " entries before it hold)");
            return Cli.INVALID;
        }
    }

    @Command(
            name = "head",
            mixinStandardHelpOptions = true,
            description = {
                "Prints the newest entry as SEQ:HASH, to keep outside the database (a log shipper, a"
                        + " message to the peer's operator): audit verify --expect-head SEQ:HASH later tells whether"
                        + " the entries up to it are still there, unchanged. Checks nothing itself."
            })
    static final class Head implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Override
        public Integer call() throws Exception {
            Cli.quietLogs();
            spec.commandLine().getOut().println(new AuditTrail(database.migrated(), Clock.systemUTC()).head());
            spec.commandLine().getOut().flush();
            return Cli.OK;
        }
    }

    @Command(
            name = "export",
            mixinStandardHelpOptions = true,
            description = {
                "Writes entries as JSON lines, oldest first: all, or those of one data owner (--user, for"
                        + " an access request, GDPR art. 15) or one consent."
            })
    static final class Export implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Option(names = "--user", description = "the data owner's external id")
        String user;

        @Option(names = "--consent", description = "a consent's ref")
        String consent;

        @Option(
                names = "--out",
                description = "file to write, owner-only (0600), never through a symbolic link"
                        + " (default: standard output)")
        Path out;

        @Option(names = "--force", description = "replace an existing --out file")
        boolean force;

        @Override
        public Integer call() throws Exception {
            Cli.quietLogs();
            AuditTrail audit = new AuditTrail(database.migrated(), Clock.systemUTC());
            long lines;
            if (out != null) {
                // a data owner's report: written as keys generate writes a key (owner-only, a new file, no link)
                if (Files.isSymbolicLink(out)) {
                    spec.commandLine().getErr().println(out + " is a symbolic link: name the file itself");
                    return Cli.INVALID;
                }
                if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
                    if (!force) {
                        spec.commandLine()
                                .getErr()
                                .println(out + " exists: choose another file, or --force to" + " replace it");
                        return Cli.INVALID;
                    }
                    Files.delete(out);
                }
                try (Writer w = Channels.newWriter(
                        Files.newByteChannel(
                                out,
                                Set.<OpenOption>of(
                                        StandardOpenOption.CREATE_NEW,
                                        StandardOpenOption.WRITE,
                                        LinkOption.NOFOLLOW_LINKS),
                                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
                        StandardCharsets.UTF_8)) {
                    lines = audit.export(w, user, consent);
                }
                spec.commandLine().getErr().println(lines + " entries written to " + out);
            } else {
                audit.export(spec.commandLine().getOut(), user, consent);
            }
            return Cli.OK;
        }
    }
}
