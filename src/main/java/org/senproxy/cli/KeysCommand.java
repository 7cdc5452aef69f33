package org.senproxy.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Callable;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sen-proxy keys generate|register}: the signing keys of federation messages. */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = {"The keys that sign federation messages (JWS, ES256). A proxy signs with its private key"
                + " (senproxy.signing.key-file); a receiving proxy checks with the sender's public keys, registered"
                + " in its database for the sender's app."},
        subcommands = {KeysCommand.Generate.class, KeysCommand.Register.class})
public final class KeysCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = {"Generates a key pair (EC P-256): writes the private JWK to --out (readable by its owner"
                    + " only; give it to the proxy as senproxy.signing.key-file, e.g. from a Kubernetes Secret) and"
                    + " prints the public JWK, to register at the proxies that receive from this one."})
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
            ECKey key = new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE)
                    .keyID(kid != null ? kid : UUID.randomUUID().toString()).generate();
            Files.createFile(out, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(out, key.toJSONString());
            PrintWriter stdout = spec.commandLine().getOut();
            stdout.println(key.toPublicJWK().toJSONString());
            stdout.flush();
            return Cli.OK;
        }
    }

    @Command(name = "register", mixinStandardHelpOptions = true,
            description = {"Registers a public key (JWK file) of an app in this proxy's database: from then on,"
                    + " messages from that app must be signed by one of its valid keys.",
                "To rotate, register the new key, then end the old one with --valid-until on a new registration"
                    + " of it, or in SQL (app_key.valid_until)."})
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

        @Override
        public Integer call() throws Exception {
            Cli.quietLogs();
            ECKey key = ECKey.parse(Files.readString(jwk));
            if (key.isPrivate()) {
                spec.commandLine().getErr().println(jwk + " holds a private key: register the public one only");
                return Cli.INVALID;
            }
            if (key.getKeyID() == null) {
                spec.commandLine().getErr().println(jwk + " has no key id (kid)");
                return Cli.INVALID;
            }
            try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO app_key (app_id, kid, jwk, valid_until) SELECT id, ?, ?, ? FROM app WHERE name = ?"
                            + " ON CONFLICT (app_id, kid) DO UPDATE SET valid_until = excluded.valid_until")) {
                ps.setString(1, key.getKeyID());
                ps.setString(2, key.toJSONString());
                ps.setTimestamp(3, validUntil == null ? null : Timestamp.from(validUntil));
                ps.setString(4, app);
                if (ps.executeUpdate() == 0) {
                    spec.commandLine().getErr().println("No app named " + app);
                    return Cli.FAILED;
                }
            }
            spec.commandLine().getOut().println("key " + key.getKeyID() + " registered for app " + app
                    + (validUntil == null ? "" : ", valid until " + validUntil));
            spec.commandLine().getOut().flush();
            return Cli.OK;
        }
    }
}
