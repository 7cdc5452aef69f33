package org.senproxy.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Callable;

import javax.sql.DataSource;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import org.senproxy.audit.AuditTrail;
import org.senproxy.audit.SignerKeys;
import org.senproxy.federation.AppKeys;
import org.senproxy.federation.KeyRotation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sen-proxy keys generate|register|trust|rotate|revoke}: the signing keys of federation messages and of changes.
 */
@Command(
        name = "keys",
        mixinStandardHelpOptions = true,
        description = {
            "The keys that sign federation messages (JWS, ES256). A proxy signs with its private key"
                    + " (senproxy.signing.key-file); a receiving proxy checks with the sender's public keys, registered"
                    + " in its database for the sender's app. The same kind of key signs an operator's consent and"
                    + " subscription changes: its public half is registered for the operator (keys trust).",
            "With enrolled peers (peers join), keys rotate and keys revoke tell them over the federation."
        },
        subcommands = {
            KeysCommand.Generate.class,
            KeysCommand.Register.class,
            KeysCommand.Trust.class,
            KeysCommand.Rotate.class,
            KeysCommand.Revoke.class
        })
public final class KeysCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return Cli.missingSubcommand(spec);
    }

    /** The EC JWK in {@code file}, or null when it is not one (said on stderr). */
    static ECKey jwk(CommandSpec spec, Path file) throws java.io.IOException {
        try {
            return ECKey.parse(Files.readString(file));
        } catch (java.text.ParseException e) {
            Cli.quietLogs();
            spec.commandLine().getErr().println(file + " is not an EC JWK: " + e.getMessage());
            return null;
        }
    }

    @Command(
            name = "generate",
            mixinStandardHelpOptions = true,
            description = {
                "Generates a key pair (EC P-256): writes the private JWK to --out (readable by its owner"
                        + " only; give it to the proxy as senproxy.signing.key-file, e.g. from a Kubernetes Secret) and"
                        + " prints the public JWK, to register at the proxies that receive from this one."
            })
    static final class Generate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--out", required = true, description = "file for the private key (must not exist)")
        Path out;

        @Option(names = "--kid", description = "key id (default: a random one)")
        String kid;

        @Override
        public Integer call() throws Exception {
            if (Files.exists(out)) {
                spec.commandLine().getErr().println(out + " exists: a key is never overwritten");
                return Cli.INVALID;
            }
            ECKey key = new ECKeyGenerator(Curve.P_256)
                    .keyUse(KeyUse.SIGNATURE)
                    .keyID(kid != null ? kid : UUID.randomUUID().toString())
                    .generate();
            Files.createFile(out, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(out, key.toJSONString());
            PrintWriter stdout = spec.commandLine().getOut();
            stdout.println(key.toPublicJWK().toJSONString());
            stdout.flush();
            return Cli.OK;
        }
    }

    @Command(
            name = "register",
            mixinStandardHelpOptions = true,
            description = {
                "Registers a public key (JWK file) of an app in this proxy's database: from then on,"
                        + " messages from that app must be signed by one of its valid keys. Every change is audited.",
                "A key id names one key for good: registering it again with the same key may only shorten its"
                        + " validity (--valid-until); with another key it is refused unless --replace says so. To rotate,"
                        + " register the new key under a new kid, then shorten the old one's --valid-until."
            })
    static final class Register implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Option(names = "--app", required = true, description = "the app's name (table app)")
        String app;

        @Option(names = "--jwk", required = true, description = "file of the public JWK (keys generate printed it)")
        Path jwk;

        @Option(names = "--valid-until", description = "ISO 8601 instant after which the key is no longer valid")
        Instant validUntil;

        @Option(
                names = "--replace",
                description = "replace the app's key of the same kid by this one (the old key"
                        + " stops being valid at once; audited)")
        boolean replace;

        @Option(
                names = "--actor",
                description = "who makes the change, as the audit trail records it (default: the" + " system user)")
        String actor;

        @Override
        public Integer call() throws Exception {
            ECKey key = jwk(spec, jwk);
            if (key == null) {
                return Cli.INVALID;
            }
            DataSource dataSource = database.migrated();
            return Cli.change(
                    spec,
                    () -> new AppKeys(dataSource, new AuditTrail(dataSource, Clock.systemUTC()))
                            .register(
                                    app,
                                    key,
                                    validUntil,
                                    replace,
                                    actor != null ? actor : System.getProperty("user.name", "operator")));
        }
    }

    @Command(
            name = "trust",
            mixinStandardHelpOptions = true,
            description = {
                "Registers a public key (JWK file) as one that may sign an actor's consent and subscription"
                        + " changes (--actor, as those commands record it). A change signed by any other key is refused,"
                        + " and breaks the chain in audit verify. Audited (signer.trusted, with the key).",
                "Registering it again may only shorten its validity (--valid-until), to retire it. Valid from now,"
                        + " or from --valid-from: for the changes an operator signed with it before this registry"
                        + " existed (an upgrade)."
            })
    static final class Trust implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Option(names = "--actor", required = true, description = "whose changes the key signs (their --actor)")
        String actor;

        @Option(names = "--jwk", required = true, description = "file of the public JWK (keys generate printed it)")
        Path jwk;

        @Option(names = "--valid-from", description = "ISO 8601 instant the key is valid from (default: now)")
        Instant validFrom;

        @Option(names = "--valid-until", description = "ISO 8601 instant after which the key is no longer valid")
        Instant validUntil;

        @Option(
                names = "--by",
                description = "who registers it, as the audit trail records it (default: the system" + " user)")
        String by;

        @Override
        public Integer call() throws Exception {
            ECKey key = jwk(spec, jwk);
            if (key == null) {
                return Cli.INVALID;
            }
            DataSource dataSource = database.migrated();
            return Cli.change(
                    spec,
                    () -> new SignerKeys(dataSource, new AuditTrail(dataSource, Clock.systemUTC()), Clock.systemUTC())
                            .trust(
                                    actor,
                                    key,
                                    validFrom,
                                    validUntil,
                                    by != null ? by : System.getProperty("user.name", "operator")));
        }
    }

    @Command(
            name = "rotate",
            mixinStandardHelpOptions = true,
            description = {
                "Makes this proxy a new key pair and announces its public half to every enrolled peer, signed by the"
                        + " key that signs now. The running proxy signs with the new key once every peer acknowledged"
                        + " the announcement, or when --grace is over; the peers accept the old key for --overlap"
                        + " after that, then no more.",
                "The private key is written beside senproxy.signing.key-file as KID.jwk (readable by its owner only),"
                        + " where every replica finds it; on Kubernetes, write it with --out and add it to the Secret"
                        + " mounted there (k8s/README.md). A replica that has not got the file yet keeps signing with the"
                        + " old key, which peers accept during the overlap."
            })
    static final class Rotate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Option(
                names = "--grace",
                defaultValue = "10m",
                description = "how long to wait for the peers' acknowledgements before signing with the new key anyway"
                        + " (default: ${DEFAULT-VALUE})")
        String grace;

        @Option(
                names = "--overlap",
                defaultValue = "24h",
                description = "how long peers accept the old key after the switch (default: ${DEFAULT-VALUE})")
        String overlap;

        @Option(
                names = "--out",
                description = "where to write the new private key (default: KID.jwk beside senproxy.signing.key-file)")
        Path out;

        @Option(
                names = "--actor",
                description = "who rotates, as the audit trail records it (default: the system user)")
        String actor;

        @Override
        public Integer call() throws Exception {
            return Cli.change(spec, () -> {
                KeyRotation rotation = Enrolling.rotation(database);
                ECKey next = new ECKeyGenerator(Curve.P_256)
                        .keyUse(KeyUse.SIGNATURE)
                        .keyID(UUID.randomUUID().toString())
                        .generate();
                Path file = out != null ? out : rotation.keyFolder().resolve(next.getKeyID() + ".jwk");
                if (Files.exists(file)) {
                    throw new IllegalArgumentException(file + " exists: a key is never overwritten");
                }
                Files.createFile(
                        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(file, next.toJSONString());
                KeyRotation.Rotated rotated;
                try {
                    rotated = rotation.rotate(
                            next, Enrolling.duration(grace), Enrolling.duration(overlap), Switching.actor(actor));
                } catch (RuntimeException | java.sql.SQLException notRecorded) {
                    Files.deleteIfExists(file);
                    throw notRecorded;
                }
                return "key " + rotated.kid() + " (" + AppKeys.thumbprint(next) + ") written to " + file
                        + "; announced to " + rotated.peers().size() + " peer(s); it signs once they acknowledged it,"
                        + " at the latest " + rotated.switchAt() + " (it replaces " + rotated.previous() + ")";
            });
        }
    }

    @Command(
            name = "revoke",
            mixinStandardHelpOptions = true,
            description = {
                "Revokes a key as compromised, with the reason: one of this proxy's keys (not the one that signs now:"
                        + " rotate first), announced to every enrolled peer, which refuse it from then on; or a peer's"
                        + " key (--app when several apps have that key id), refused here from now on."
            })
    static final class Revoke implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @picocli.CommandLine.Parameters(paramLabel = "KID", description = "the key id")
        String kid;

        @Option(names = "--reason", required = true, description = "why, as the peers and the audit trail are told")
        String reason;

        @Option(names = "--app", description = "the peer whose key it is (default: this proxy's, else any app's)")
        String app;

        @Option(
                names = "--actor",
                description = "who revokes, as the audit trail records it (default: the system user)")
        String actor;

        @Override
        public Integer call() throws Exception {
            return Cli.change(
                    spec, () -> Enrolling.rotation(database).revoke(kid, app, reason, Switching.actor(actor)));
        }
    }
}
