package org.senproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import com.nimbusds.jose.jwk.ECKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.senproxy.testing.TestPostgres;

/** {@code sen-proxy keys generate|register}. */
class KeysCommandTest {

    @TempDir
    Path folder;

    @RegisterExtension
    final CommandRunner cli = new CommandRunner();

    private int run(String... args) {
        return cli.run(args);
    }

    @Test
    void generatesAPrivateKeyOnlyItsOwnerReadsAndPrintsThePublicOne() throws Exception {
        Path file = folder.resolve("proxy-a.jwk");
        assertThat(run("keys", "generate", "--out", file.toString(), "--kid", "a-2026"))
                .isZero();

        ECKey privateKey = ECKey.parse(Files.readString(file));
        assertThat(privateKey.isPrivate()).isTrue();
        assertThat(privateKey.getKeyID()).isEqualTo("a-2026");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        ECKey printed = ECKey.parse(cli.out().trim());
        assertThat(printed.isPrivate()).as("only the public key is printed").isFalse();
        assertThat(printed).isEqualTo(privateKey.toPublicJWK());

        assertThat(run("keys", "generate", "--out", file.toString()))
                .as("never overwrites a key")
                .isEqualTo(2);
    }

    @Test
    void registersAPublicKeyForAnAppAndRefusesAPrivateOne() throws Exception {
        String database = TestPostgres.newDatabase("keys");
        TestPostgres.migrate(database);
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO app (name, jid) VALUES ('a', 'proxy-a@localhost')");
        }
        Path privateFile = folder.resolve("a.jwk");
        run("keys", "generate", "--out", privateFile.toString(), "--kid", "a-1");
        Path publicFile =
                Files.writeString(folder.resolve("a.pub.jwk"), cli.out().trim());

        assertThat(run(
                        "keys",
                        "register",
                        "--app",
                        "a",
                        "--jwk",
                        publicFile.toString(),
                        "--db-url",
                        database,
                        "--db-user",
                        "postgres"))
                .isZero();
        assertThat(run(
                        "keys",
                        "register",
                        "--app",
                        "a",
                        "--jwk",
                        privateFile.toString(),
                        "--db-url",
                        database,
                        "--db-user",
                        "postgres"))
                .isEqualTo(2);
        assertThat(cli.err()).contains("holds a private key");
        assertThat(run(
                        "keys",
                        "register",
                        "--app",
                        "nobody",
                        "--jwk",
                        publicFile.toString(),
                        "--db-url",
                        database,
                        "--db-user",
                        "postgres"))
                .isEqualTo(2);
        assertThat(cli.err()).contains("no app named nobody");

        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT kid, jwk FROM app_key")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("a-1");
            assertThat(ECKey.parse(rs.getString(2)).isPrivate()).isFalse();
        }
    }

    /**
     * The attack of the security review: an operator "rotates" a compromised key by registering a new one under the
     * same kid. It used to keep the old material and overwrite its expiry (NULL: for ever), and say "registered".
     */
    @Test
    void aKidNamesOneKeyForGoodItsValidityOnlyShortensAndEveryChangeIsAudited() throws Exception {
        String database = TestPostgres.newDatabase("keys");
        TestPostgres.migrate(database);
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO app (name, jid) VALUES ('a', 'proxy-a@localhost')");
        }
        run("keys", "generate", "--out", folder.resolve("old.jwk").toString(), "--kid", "a-1");
        Path old = Files.writeString(folder.resolve("old.pub.jwk"), cli.out().trim());
        run("keys", "generate", "--out", folder.resolve("new.jwk").toString(), "--kid", "a-1");
        Path fresh = Files.writeString(folder.resolve("new.pub.jwk"), cli.out().trim());
        String[] db = {"--db-url", database, "--db-user", "postgres", "--actor", "ops"};

        assertThat(run(with(
                        db,
                        "keys",
                        "register",
                        "--app",
                        "a",
                        "--jwk",
                        old.toString(),
                        "--valid-until",
                        "2030-01-01T00:00:00Z")))
                .isZero();
        // other material under the same kid: refused, the old key unchanged
        assertThat(run(with(db, "keys", "register", "--app", "a", "--jwk", fresh.toString())))
                .isEqualTo(2);
        assertThat(cli.err())
                .contains("already has a key a-1 with other key material")
                .contains("--replace");
        assertThat(registered(database))
                .isEqualTo(ECKey.parse(Files.readString(old)).getX() + " 2030-01-01");
        // the same material: never longer, never for ever; shorter is fine
        assertThat(run(with(db, "keys", "register", "--app", "a", "--jwk", old.toString())))
                .isEqualTo(2);
        assertThat(cli.err()).contains("may be shortened, never extended");
        assertThat(run(with(
                        db,
                        "keys",
                        "register",
                        "--app",
                        "a",
                        "--jwk",
                        old.toString(),
                        "--valid-until",
                        "2031-01-01T00:00:00Z")))
                .isEqualTo(2);
        assertThat(run(with(
                        db,
                        "keys",
                        "register",
                        "--app",
                        "a",
                        "--jwk",
                        old.toString(),
                        "--valid-until",
                        "2029-01-01T00:00:00Z")))
                .isZero();
        assertThat(registered(database)).endsWith(" 2029-01-01");
        // replaced on purpose: the new material, the old one gone
        assertThat(run(with(db, "keys", "register", "--app", "a", "--jwk", fresh.toString(), "--replace")))
                .isZero();
        assertThat(cli.out()).contains("replaced");
        assertThat(registered(database))
                .isEqualTo(ECKey.parse(Files.readString(fresh)).getX() + " null");

        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery("SELECT string_agg(kind || ' ' || actor, ',' ORDER BY seq) FROM audit_log")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("key.registered ops,key.shortened ops,key.replaced ops");
        }
    }

    private static String[] with(String[] db, String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + db.length);
        System.arraycopy(db, 0, all, args.length, db.length);
        return all;
    }

    private static String registered(String database) throws Exception {
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT jwk, to_char(valid_until AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
                        + " FROM app_key WHERE kid = 'a-1'")) {
            assertThat(rs.next()).isTrue();
            return ECKey.parse(rs.getString(1)).getX() + " " + rs.getString(2);
        }
    }
}
