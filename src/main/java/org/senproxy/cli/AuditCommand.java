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
import java.util.Set;
import java.util.concurrent.Callable;

import org.senproxy.audit.AuditTrail;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sen-proxy audit verify|export}: the hash-chained audit trail. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"The audit trail: every consent and subscription change (signed by its maker) and every"
                + " transfer (series, period, peer, consent, digest, outcome), in an append-only hash chain."},
        subcommands = {AuditCommand.Verify.class, AuditCommand.Export.class})
public final class AuditCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return Cli.missingSubcommand(spec);
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Checks the whole chain: each entry's link to the one before, its hash, and the signature"
                    + " of each change. Exit code 0 when intact, 2 at the first broken entry, which it names.",
                "Prints the head hash: keep it elsewhere to detect later removal of the newest entries."})
    static final class Verify implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Override
        public Integer call() throws Exception {
            Cli.quietLogs();
            AuditTrail.Verification v = new AuditTrail(database.migrated(), Clock.systemUTC()).verify();
            if (v.intact()) {
                spec.commandLine().getOut().println("audit trail intact: " + v.rows() + " entries, head "
                        + v.headHash());
                spec.commandLine().getOut().flush();
                return Cli.OK;
            }
            spec.commandLine().getErr().println("audit trail broken at entry " + v.brokenAt() + ": " + v.problem()
                    + " (" + v.rows() + " entries before it hold)");
            return Cli.INVALID;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = {"Writes entries as JSON lines, oldest first: all, or those of one data owner (--user, for"
                    + " an access request, GDPR art. 15) or one consent."})
    static final class Export implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Option(names = "--user", description = "the data owner's external id")
        String user;

        @Option(names = "--consent", description = "a consent's ref")
        String consent;

        @Option(names = "--out", description = "file to write, owner-only (0600), never through a symbolic link"
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
                        spec.commandLine().getErr().println(out + " exists: choose another file, or --force to"
                                + " replace it");
                        return Cli.INVALID;
                    }
                    Files.delete(out);
                }
                try (Writer w = Channels.newWriter(Files.newByteChannel(out, Set.<OpenOption>of(StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-------"))), StandardCharsets.UTF_8)) {
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
