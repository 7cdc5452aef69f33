package org.senproxy.cli;

import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.senproxy.secrets.CredentialCipher;
import org.senproxy.secrets.CredentialKeys;
import org.senproxy.secrets.CredentialsException;
import org.senproxy.secrets.Secret;
import org.senproxy.secrets.UserCredentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sen-proxy credentials set|rotate|check}: users' credentials of local applications, encrypted at rest. */
@Command(
        name = "credentials",
        mixinStandardHelpOptions = true,
        description = {
            "The credentials of federated users in local applications (table user_app), encrypted at rest"
                    + " with AES-256-GCM under the keys of senproxy.credentials.keys (SENPROXY_CREDENTIALS_KEYS) or"
                    + " senproxy.credentials.keys-file: <key id>:<32 bytes in base64>, comma-separated, the current key"
                    + " first (openssl rand -base64 32 makes one).",
            "To rotate: put the new key first and keep the old one after it, run `credentials rotate`, then remove"
                    + " the old key once `credentials check` shows it reads no row.",
            "The database and the keys are the proxy's own (its application.properties and environment)."
        },
        subcommands = {CredentialsCommand.Set.class, CredentialsCommand.Rotate.class, CredentialsCommand.Check.class})
public final class CredentialsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return Cli.missingSubcommand(spec);
    }

    abstract static class CredentialsTask implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyDatabase database;

        @Override
        public Integer call() {
            Cli.quietLogs();
            PrintWriter err = spec.commandLine().getErr();
            try {
                CredentialKeys keys = CredentialKeys.fromSettings(database.settings()::get);
                return run(
                        new UserCredentials(database.migrated(), new CredentialCipher(keys), batchSize()),
                        spec.commandLine().getOut());
            } catch (IllegalStateException | CredentialsException e) {
                // configuration errors and unreadable rows: their messages name settings and rows, never values
                err.println(e.getMessage());
                return Cli.FAILED;
            } catch (SQLException e) {
                err.println("Cannot use the database: " + e.getMessage());
                return Cli.FAILED;
            } catch (IOException e) {
                err.println("Cannot read the secret: " + e.getMessage());
                return Cli.FAILED;
            } finally {
                spec.commandLine().getOut().flush();
                err.flush();
            }
        }

        int batchSize() {
            return UserCredentials.DEFAULT_BATCH_SIZE;
        }

        abstract int run(UserCredentials credentials, PrintWriter out) throws SQLException, IOException;

        static void printFailures(List<UserCredentials.Failure> failures, PrintWriter out) {
            for (UserCredentials.Failure f : failures) {
                out.println(f.message() + " (user " + f.user() + ", application " + f.application() + ")");
            }
        }
    }

    @Command(
            name = "set",
            mixinStandardHelpOptions = true,
            description = {
                "Stores a user's login and secret for a local application, encrypted under the current"
                        + " key. The secret is read from --secret-file, else from standard input (typed without echo at a"
                        + " terminal); one trailing line break is dropped. It is never an argument: command lines are"
                        + " visible to every user of the machine and kept in shell histories.",
                "The federated user is created when its external id is new; an existing account gets the new login"
                        + " and secret.",
                "Exit status: 0 stored; 1 no key configured or a database error; 2 empty secret."
            })
    static final class Set extends CredentialsTask {
        @Option(names = "--user", required = true, description = "the federated user's external id")
        String user;

        @Option(names = "--app", required = true, description = "the local application, e.g. the connector name")
        String application;

        @Option(names = "--login", description = "the user's login in that application (stored in clear)")
        String login;

        @Option(names = "--secret-file", description = "file holding the secret (default: standard input)")
        Path secretFile;

        @Override
        int run(UserCredentials credentials, PrintWriter out) throws SQLException, IOException {
            byte[] secret = secretFile != null ? Files.readAllBytes(secretFile) : readStandardInput();
            try {
                secret = withoutFinalLineBreak(secret);
                if (secret.length == 0) {
                    spec.commandLine().getErr().println("The secret is empty");
                    return Cli.INVALID;
                }
                long row = credentials
                        .store(List.of(new UserCredentials.Account(user, application, login, Secret.of(secret))))
                        .get(0);
                out.println("credentials of user " + user + " in " + application + " stored (user_app row " + row
                        + ", key " + credentials.currentKeyId() + ")");
                return Cli.OK;
            } finally {
                Arrays.fill(secret, (byte) 0);
            }
        }

        private static byte[] readStandardInput() throws IOException {
            Console console = System.console();
            if (console != null) {
                char[] typed = console.readPassword("Secret of the user (not shown): ");
                if (typed == null) {
                    return new byte[0];
                }
                ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(typed));
                byte[] bytes = new byte[encoded.remaining()];
                encoded.get(bytes);
                Arrays.fill(encoded.array(), (byte) 0);
                Arrays.fill(typed, '\0');
                return bytes;
            }
            return System.in.readAllBytes();
        }

        private static byte[] withoutFinalLineBreak(byte[] value) {
            int end = value.length;
            if (end > 0 && value[end - 1] == '\n') {
                end--;
                if (end > 0 && value[end - 1] == '\r') {
                    end--;
                }
            }
            return end == value.length ? value : Arrays.copyOf(value, end);
        }
    }

    @Command(
            name = "rotate",
            mixinStandardHelpOptions = true,
            description = {
                "Re-encrypts every row that is not under the current key (the first of"
                        + " senproxy.credentials.keys) with it, in batches, each in one transaction, and prints how many."
                        + " Rows that cannot be read are left as they are and listed.",
                "Exit status: 0 every row is under the current key (older keys can be removed); 1 some row cannot be"
                        + " read, or no key is configured."
            })
    static final class Rotate extends CredentialsTask {
        @Option(
                names = "--batch-size",
                defaultValue = "500",
                description = "rows per transaction (default" + " ${DEFAULT-VALUE})")
        int batchSize;

        @Override
        int batchSize() {
            return batchSize;
        }

        @Override
        int run(UserCredentials credentials, PrintWriter out) throws SQLException {
            UserCredentials.Rotation rotation = credentials.rotate();
            printFailures(rotation.failures(), out);
            out.println(rotation.reencrypted() + " row(s) re-encrypted under key " + rotation.keyId() + ", "
                    + rotation.alreadyCurrent() + " already under it"
                    + (rotation.failures().isEmpty()
                            ? ""
                            : ", " + rotation.failures().size() + " cannot be read (kept as they are)"));
            return rotation.failures().isEmpty() ? Cli.OK : Cli.FAILED;
        }
    }

    @Command(
            name = "check",
            mixinStandardHelpOptions = true,
            description = {
                "Decrypts every row's credentials (nothing is printed of them, nothing is written) and"
                        + " lists the rows that cannot be read, with why: a key id not configured, a value copied from"
                        + " another row, a wrong key or altered bytes. Prints how many rows each key reads: a key that"
                        + " reads none can be removed.",
                "Exit status: 0 every row can be read; 1 some cannot, or no key is configured."
            })
    static final class Check extends CredentialsTask {
        @Option(
                names = "--batch-size",
                defaultValue = "500",
                description = "rows read at a time (default" + " ${DEFAULT-VALUE})")
        int batchSize;

        @Override
        int batchSize() {
            return batchSize;
        }

        @Override
        int run(UserCredentials credentials, PrintWriter out) throws SQLException {
            UserCredentials.Check check = credentials.check();
            printFailures(check.failures(), out);
            boolean current = true;
            for (Map.Entry<String, Integer> key : check.readableByKey().entrySet()) {
                out.println("key " + key.getKey() + (current ? " (current)" : "") + ": " + key.getValue()
                        + " row(s)"
                        + (!current && key.getValue() == 0 && check.failures().isEmpty() ? ", can be removed" : ""));
                current = false;
            }
            out.println(
                    check.readable() + " row(s) readable, " + check.failures().size() + " not");
            return check.failures().isEmpty() ? Cli.OK : Cli.FAILED;
        }
    }
}
