package org.senproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.senproxy.testing.TestPostgres;

/** apps, consents, subscriptions and audit: an operator's day with a data owner's consent, on a real database. */
class ConsentCommandsTest {

    @RegisterExtension
    final CommandRunner cli = new CommandRunner();

    @TempDir
    Path dir;

    private String database;
    private Path key;

    @BeforeEach
    void database() throws Exception {
        database = TestPostgres.newDatabase("consents");
        TestPostgres.migrate(database);
        key = dir.resolve("alice.jwk");
        assertThat(cli.run("keys", "generate", "--out", key.toString())).isZero();
        // a change is signed by a key registered for its maker: the makers these tests name
        publicKey = dir.resolve("alice.public.jwk");
        Files.writeString(publicKey, cli.out());
        for (String actor : List.of("alice", "dpo", System.getProperty("user.name", "operator"))) {
            assertThat(run("keys", "trust", "--actor", actor, "--jwk", publicKey.toString()))
                    .isZero();
        }
        trusted = 3;
    }

    private Path publicKey;
    /** Entries the key registrations wrote. */
    private int trusted;

    private int run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--db-url", database, "--db-user", "postgres"));
        return cli.run(all.toArray(String[]::new));
    }

    @Test
    void grantListRevokeThenVerifyAndExportTheTrail() throws Exception {
        assertThat(run("apps", "add", "--name", "city", "--jid", "Proxy-City@Example.org"))
                .isZero();
        assertThat(run("apps", "list")).isZero();
        assertThat(cli.out()).contains("city").contains("proxy-city@example.org");

        assertThat(run(
                        "consents",
                        "grant",
                        "--user",
                        "household-7",
                        "--app",
                        "city",
                        "--scope",
                        "urn:dev:mac:1*",
                        "--until",
                        "2099-01-01T00:00:00Z",
                        "--source",
                        "ecodevices-source",
                        "--key",
                        key.toString(),
                        "--actor",
                        "alice"))
                .isZero();
        String ref = cli.out().strip();
        assertThat(ref).matches("[0-9a-f-]{36}");
        assertThat(cli.err())
                .contains("warning: pattern 'urn:dev:mac:1*' covers every name that starts with" + " 'urn:dev:mac:1'");

        assertThat(run("consents", "list")).isZero();
        assertThat(cli.out())
                .contains(ref)
                .contains("valid")
                .contains("user household-7 -> app city")
                .contains("scope urn:dev:mac:1*")
                .contains("[ecodevices-source]")
                .contains("granted by alice");

        assertThat(run("consents", "revoke", ref, "--reason", "moved out", "--key", key.toString(), "--actor", "alice"))
                .isZero();
        assertThat(cli.out()).contains("revoked; 0 message(s) withheld");
        assertThat(run("consents", "list")).isZero();
        assertThat(cli.out()).contains("revoked").contains("moved out");

        assertThat(run(
                        "subscriptions",
                        "add",
                        "--app",
                        "city",
                        "--consent",
                        ref,
                        "--scope",
                        "urn:dev:mac:1*",
                        "--key",
                        key.toString()))
                .isZero();
        assertThat(run("subscriptions", "end", "--app", "city", "--consent", ref, "--key", key.toString()))
                .isZero();
        assertThat(run("subscriptions", "list")).isZero();
        assertThat(cli.out()).contains(ref).contains("ended");

        assertThat(run("audit", "verify")).isZero();
        assertThat(cli.out()).contains("audit trail intact: " + (4 + trusted) + " entries, head ");
        Path export = dir.resolve("household-7.jsonl");
        assertThat(run("audit", "export", "--user", "household-7", "--out", export.toString()))
                .isZero();
        List<String> lines = Files.readAllLines(export);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("\"kind\":\"consent.granted\"").contains("\"actor\":\"alice\"");
        // the data owner's report is owner-only, never overwritten by mistake, never written through a link
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(export)))
                .isEqualTo("rw-------");
        assertThat(run("audit", "export", "--user", "household-7", "--out", export.toString()))
                .isEqualTo(Cli.INVALID);
        assertThat(cli.err()).contains("exists: choose another file, or --force");
        assertThat(run("audit", "export", "--user", "household-7", "--out", export.toString(), "--force"))
                .isZero();
        Path target = dir.resolve("elsewhere.txt");
        Files.writeString(target, "untouched");
        Path link = Files.createSymbolicLink(dir.resolve("link.jsonl"), target);
        assertThat(run("audit", "export", "--user", "household-7", "--out", link.toString(), "--force"))
                .isEqualTo(Cli.INVALID);
        assertThat(cli.err()).contains("is a symbolic link");
        assertThat(Files.readString(target)).isEqualTo("untouched");
        assertThat(lines.get(1)).contains("\"kind\":\"consent.revoked\"").contains("moved out");

        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only");
            s.execute("UPDATE audit_log SET actor = 'bob' WHERE kind = 'consent.revoked'");
        }
        assertThat(run("audit", "verify")).isEqualTo(Cli.INVALID);
        assertThat(cli.err())
                .contains("audit trail broken at entry")
                .contains("does not match its hash")
                .contains((1 + trusted) + " entries before it hold");
    }

    @Test
    void aConsentStatesItsAccessAndDataPeriodsApartAndTheAuditExportShowsBoth() throws Exception {
        assertThat(run("apps", "add", "--name", "city", "--jid", "city@example.org"))
                .isZero();
        // access 2020-2030, data by default: from the access start, open end
        assertThat(run(
                        "consents",
                        "grant",
                        "--user",
                        "household-7",
                        "--app",
                        "city",
                        "--scope",
                        "urn:dev:mac:1*",
                        "--from",
                        "2020-01-01T00:00:00Z",
                        "--until",
                        "2030-01-01T00:00:00Z",
                        "--key",
                        key.toString(),
                        "--actor",
                        "alice"))
                .isZero();
        String ref = cli.out().strip();
        assertThat(run("consents", "list")).isZero();
        assertThat(cli.out())
                .contains("access 2020-01-01T00:00:00Z .. 2030-01-01T00:00:00Z, data"
                        + " 2020-01-01T00:00:00Z .. (up to the access end)");

        // narrowed to 2022-2024; widening again is refused: it is a new grant
        assertThat(run(
                        "consents",
                        "narrow",
                        ref,
                        "--data-from",
                        "2022-01-01T00:00:00Z",
                        "--data-until",
                        "2024-01-01T00:00:00Z",
                        "--key",
                        key.toString(),
                        "--actor",
                        "dpo"))
                .isZero();
        assertThat(cli.out())
                .contains("covers data 2022-01-01T00:00:00Z .. 2024-01-01T00:00:00Z (was"
                        + " 2020-01-01T00:00:00Z .. (open)); 0 queued message(s)");
        assertThat(run("consents", "narrow", ref, "--data-from", "2021-01-01T00:00:00Z", "--key", key.toString()))
                .isEqualTo(Cli.INVALID);
        assertThat(cli.err())
                .contains("data-from 2021-01-01T00:00:00Z is before the consent's 2022-01-01T00:00:00Z:"
                        + " a consent is widened by a new grant");
        assertThat(run("consents", "narrow", ref, "--data-until", "2031-01-01T00:00:00Z", "--key", key.toString()))
                .isEqualTo(Cli.INVALID);
        assertThat(run(
                        "consents",
                        "grant",
                        "--user",
                        "u",
                        "--app",
                        "city",
                        "--scope",
                        "*",
                        "--from",
                        "2020-01-01T00:00:00Z",
                        "--until",
                        "2030-01-01T00:00:00Z",
                        "--data-from",
                        "2031-01-01T00:00:00Z",
                        "--key",
                        key.toString()))
                .isEqualTo(Cli.INVALID);
        assertThat(cli.err()).contains("is not before the access end");

        Path export = dir.resolve("household-7.jsonl");
        assertThat(run("audit", "export", "--user", "household-7", "--out", export.toString()))
                .isZero();
        List<String> lines = Files.readAllLines(export);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0))
                .contains("\"kind\":\"consent.granted\"")
                .contains(
                        "\"valid_from\":\"2020-01-01T00:00:00Z\"",
                        "\"valid_until\":\"2030-01-01T00:00:00Z\"",
                        "\"data_from\":\"2020-01-01T00:00:00Z\"",
                        "\"data_until\":null");
        assertThat(lines.get(1))
                .contains(
                        "\"kind\":\"consent.narrowed\"",
                        "\"actor\":\"dpo\"",
                        "\"data_from\":\"2022-01-01T00:00:00Z\"",
                        "\"data_until\":\"2024-01-01T00:00:00Z\"");
        assertThat(run("audit", "verify")).isZero();
    }

    @Test
    void changesNeedAPrivateKeyAndAKnownAppAndGiveClearErrors() throws Exception {
        assertThat(run(
                        "consents",
                        "grant",
                        "--user",
                        "u",
                        "--app",
                        "nobody",
                        "--scope",
                        "*",
                        "--until",
                        "2099-01-01T00:00:00Z",
                        "--key",
                        key.toString()))
                .isEqualTo(Cli.INVALID);
        assertThat(cli.err()).contains("no app named nobody");

        Path publicKey = dir.resolve("public.jwk");
        assertThat(cli.run("keys", "generate", "--out", dir.resolve("other.jwk").toString()))
                .isZero();
        Files.writeString(publicKey, cli.out());
        Path other = dir.resolve("other.jwk");
        assertThat(run("apps", "add", "--name", "city", "--jid", "city@example.org"))
                .isZero();
        assertThat(run(
                        "consents",
                        "grant",
                        "--user",
                        "u",
                        "--app",
                        "city",
                        "--scope",
                        "*",
                        "--until",
                        "2099-01-01T00:00:00Z",
                        "--key",
                        publicKey.toString()))
                .isNotZero();
        assertThat(cli.err()).contains("holds a public key only");
        assertThat(run(
                        "consents",
                        "grant",
                        "--user",
                        "u",
                        "--app",
                        "city",
                        "--scope",
                        "*",
                        "--until",
                        "2000-01-01T00:00:00Z",
                        "--key",
                        key.toString()))
                .isEqualTo(Cli.INVALID);
        assertThat(cli.err()).contains("is not after");
        assertThat(run("consents", "revoke", "not-a-ref", "--reason", "x", "--key", key.toString()))
                .isEqualTo(Cli.INVALID);
        assertThat(cli.err()).contains("'not-a-ref' is not a consent ref");
        assertThat(run("apps", "add", "--name", "x", "--jid", "no-at-sign")).isEqualTo(Cli.INVALID);

        // a key not registered for its maker is refused before anything is written, naming the command to run
        assertThat(run(
                        "consents",
                        "grant",
                        "--user",
                        "u",
                        "--app",
                        "city",
                        "--scope",
                        "*",
                        "--until",
                        "2099-01-01T00:00:00Z",
                        "--key",
                        other.toString(),
                        "--actor",
                        "alice"))
                .isEqualTo(Cli.INVALID);
        assertThat(cli.err().strip())
                .startsWith("key ")
                .contains("is not registered for alice")
                .contains("sen-proxy keys trust --actor alice --jwk PUBLIC.jwk")
                .doesNotContain("\n");
        assertThat(run(
                        "consents",
                        "grant",
                        "--user",
                        "u",
                        "--app",
                        "city",
                        "--scope",
                        "*",
                        "--until",
                        "2099-01-01T00:00:00Z",
                        "--key",
                        key.toString(),
                        "--actor",
                        "bob"))
                .isEqualTo(Cli.INVALID);
        assertThat(cli.err()).contains("is not registered for bob");
        assertThat(run("keys", "trust", "--actor", "bob", "--jwk", other.toString()))
                .isEqualTo(Cli.INVALID);
        assertThat(cli.err()).contains("holds a private key");

        assertThat(run("audit", "verify")).isZero();
        assertThat(cli.out()).contains("intact: " + trusted + " entries");
    }

    @Test
    void aHeadKeptOutsideTheDatabaseShowsTheNewestEntriesCut() throws Exception {
        assertThat(run("apps", "add", "--name", "city", "--jid", "city@example.org"))
                .isZero();
        assertThat(run(
                        "consents",
                        "grant",
                        "--user",
                        "u",
                        "--app",
                        "city",
                        "--scope",
                        "*",
                        "--until",
                        "2099-01-01T00:00:00Z",
                        "--key",
                        key.toString(),
                        "--actor",
                        "alice"))
                .isZero();
        assertThat(run("audit", "head")).isZero();
        String head = cli.out().strip();
        assertThat(head).matches("\\d+:[0-9a-f]{64}");
        assertThat(run("audit", "verify", "--expect-head", head)).isZero();
        assertThat(cli.out()).contains("head " + head);
        assertThat(run("audit", "verify", "--expect-head", "nonsense")).isEqualTo(Cli.INVALID);
        assertThat(cli.err()).contains("is not a head SEQ:HASH");

        // the owner removes the newest entry: the table alone cannot tell, the head kept outside does
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("ALTER TABLE audit_log DISABLE TRIGGER USER");
            s.execute("DELETE FROM audit_log WHERE seq = " + head.split(":")[0]);
        }
        assertThat(run("audit", "verify")).isZero();
        assertThat(run("audit", "verify", "--expect-head", head)).isEqualTo(Cli.INVALID);
        assertThat(cli.err()).contains("is no longer in the chain");
    }
}
