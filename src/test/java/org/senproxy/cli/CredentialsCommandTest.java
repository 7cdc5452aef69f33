package org.senproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import ch.qos.logback.classic.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.senproxy.secrets.CredentialCipher;
import org.senproxy.secrets.CredentialKeys;
import org.senproxy.secrets.UserCredentials;
import org.senproxy.testing.LogCapture;
import org.senproxy.testing.TestPostgres;
import org.slf4j.Logger;

/**
 * {@code sen-proxy credentials set|rotate|check} on a real database, with the keys in a file named by the proxy's
 * application.properties (as a mounted Kubernetes Secret would be): what they print, what they store, and that neither
 * their output nor the logs hold a secret or a key.
 */
class CredentialsCommandTest {

    private static final String ALICE_SECRET = "alice-s3cret-from-stdin";
    private static final String BOB_SECRET = "bob-s3cret-from-a-file";

    @RegisterExtension
    final CommandRunner cli = new CommandRunner();

    @TempDir
    Path home;

    private final InputStream stdin = System.in;
    private final String k1 = randomKey();
    private final String k2 = randomKey();
    private final List<String> printed = new ArrayList<>();
    private String database;
    private Path keysFile;

    @BeforeEach
    void proxyHome() throws Exception {
        database = TestPostgres.newDatabase("credentials_cli");
        TestPostgres.migrate(database);
        keysFile = home.resolve("credentials-keys");
        Files.writeString(
                home.resolve("application.properties"),
                "senproxy.db.url = " + database + "\n"
                        + "senproxy.db.user = postgres\n"
                        + "senproxy.credentials.keys-file = " + keysFile + "\n");
        Files.writeString(keysFile, "k1:" + k1 + "\n");
    }

    @AfterEach
    void restore() {
        System.setIn(stdin);
    }

    private int run(String input, String... args) {
        System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--home", home.toString()));
        int status = cli.run(all.toArray(String[]::new));
        printed.add(cli.out());
        printed.add(cli.err());
        return status;
    }

    @Test
    void setsRotatesAndChecksWithoutEverPrintingOrLoggingASecret() throws Exception {
        Path bobsFile = Files.writeString(home.resolve("bob.secret"), BOB_SECRET + "\n");
        try (LogCapture root = new LogCapture(Logger.ROOT_LOGGER_NAME, Level.ALL);
                LogCapture ours = new LogCapture("org.senproxy", Level.ALL)) {
            assertThat(run(
                            ALICE_SECRET + "\n",
                            "credentials",
                            "set",
                            "--user",
                            "alice",
                            "--app",
                            "ecodevices",
                            "--login",
                            "alice@example.org"))
                    .isZero();
            assertThat(cli.out())
                    .matches("credentials of user alice in ecodevices stored \\(user_app row \\d+, key" + " k1\\)\\s*");
            assertThat(run(
                            "",
                            "credentials",
                            "set",
                            "--user",
                            "bob",
                            "--app",
                            "ecodevices",
                            "--secret-file",
                            bobsFile.toString()))
                    .isZero();
            assertThat(secrets("k1:" + k1)).containsExactly("alice=" + ALICE_SECRET, "bob=" + BOB_SECRET);

            // a new current key, the old one still readable
            Files.writeString(keysFile, "k2:" + k2 + ",k1:" + k1);
            assertThat(run("", "credentials", "check")).isZero();
            assertThat(cli.out())
                    .contains("key k2 (current): 0 row(s)")
                    .contains("key k1: 2 row(s)")
                    .contains("2 row(s) readable, 0 not");
            assertThat(run("", "credentials", "rotate", "--batch-size", "1")).isZero();
            assertThat(cli.out().trim()).isEqualTo("2 row(s) re-encrypted under key k2, 0 already under it");
            assertThat(run("", "credentials", "check")).isZero();
            assertThat(cli.out()).contains("key k2 (current): 2 row(s)").contains("key k1: 0 row(s), can be removed");

            // the old key removed: everything still reads
            Files.writeString(keysFile, "k2:" + k2);
            assertThat(run("", "credentials", "check")).isZero();
            assertThat(secrets("k2:" + k2)).containsExactly("alice=" + ALICE_SECRET, "bob=" + BOB_SECRET);

            // bob's value copied onto alice's row: check names the row, rotate leaves it and says so
            sql("UPDATE user_app SET credentials = (SELECT credentials FROM user_app WHERE login IS NULL)"
                    + " WHERE login = 'alice@example.org'");
            assertThat(run("", "credentials", "check")).isEqualTo(1);
            assertThat(cli.out())
                    .containsPattern("user_app row \\d+: written for row \\d+, copied or moved here:"
                            + " refused \\(user alice, application ecodevices\\)")
                    .contains("1 row(s) readable, 1 not");
            Files.writeString(keysFile, "k3:" + randomKey() + ",k2:" + k2);
            assertThat(run("", "credentials", "rotate")).isEqualTo(1);
            assertThat(cli.out())
                    .contains("1 row(s) re-encrypted under key k3, 0 already under it, 1 cannot be read"
                            + " (kept as they are)");

            printed.add(root.messages(Level.TRACE)
                    + root.messages(Level.DEBUG)
                    + root.messages(Level.INFO)
                    + root.warnings()
                    + root.messages(Level.ERROR));
            printed.add(ours.messages(Level.INFO) + ours.warnings());
            assertThat(ours.messages(Level.INFO))
                    .as("the capture sees our logs")
                    .contains("rotated to key k3");
        }
        assertThat(printed)
                .allSatisfy(text -> assertThat(text)
                        .doesNotContain(ALICE_SECRET)
                        .doesNotContain(BOB_SECRET)
                        .doesNotContain(k1)
                        .doesNotContain(k2));
    }

    @Test
    void withoutAKeyNothingIsStoredAndTheErrorSaysWhatToSet() throws Exception {
        Files.writeString(
                home.resolve("application.properties"),
                "senproxy.db.url = " + database + "\n" + "senproxy.db.user = postgres\n");
        assertThat(run(ALICE_SECRET, "credentials", "set", "--user", "alice", "--app", "sge"))
                .isEqualTo(1);
        assertThat(cli.err())
                .startsWith("No credentials key is configured: set senproxy.credentials.keys"
                        + " (environment variable SENPROXY_CREDENTIALS_KEYS) or senproxy.credentials.keys-file");
        assertThat(run("", "credentials", "check")).isEqualTo(1);
        assertThat(cli.err()).startsWith("No credentials key is configured");
    }

    @Test
    void theSecretIsNeverAnArgumentAndAnEmptyOneIsRefused() {
        assertThat(run("", "credentials", "set", "--user", "alice", "--app", "sge", "--secret", ALICE_SECRET))
                .as("no such option")
                .isEqualTo(2);
        assertThat(run("", "credentials", "set", "--user", "alice", "--app", "sge", ALICE_SECRET))
                .as("no positional parameter")
                .isEqualTo(2);
        assertThat(run("\n", "credentials", "set", "--user", "alice", "--app", "sge"))
                .isEqualTo(2);
        assertThat(cli.err()).contains("The secret is empty");
    }

    @Test
    void everySubcommandExplainsItself() {
        assertThat(run("", "credentials", "--help")).isZero();
        assertThat(cli.out())
                .contains("set")
                .contains("rotate")
                .contains("check")
                .contains("AES-256-GCM");
        assertThat(run("", "credentials", "set", "--help")).isZero();
        assertThat(cli.out()).contains("--secret-file").contains("never an argument");
        assertThat(run("", "credentials", "rotate", "--help")).isZero();
        assertThat(cli.out()).contains("--batch-size").contains("Re-encrypts");
        assertThat(run("", "credentials", "check", "--help")).isZero();
        assertThat(cli.out()).contains("can be removed");
    }

    /** user=secret of every account, read with these keys ({@code k1:<base64>}). */
    private List<String> secrets(String keys) throws Exception {
        UserCredentials credentials = new UserCredentials(
                ProxyDatabase.dataSource(database, "postgres", null),
                new CredentialCipher(CredentialKeys.parse(keys)),
                10);
        return credentials.forApplication("ecodevices").stream()
                .map(s -> s.user() + "=" + s.secret().reveal())
                .toList();
    }

    private void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private static String randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
