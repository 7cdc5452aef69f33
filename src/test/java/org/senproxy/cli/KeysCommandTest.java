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
import org.flywaydb.core.Flyway;
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
        assertThat(run("keys", "generate", "--out", file.toString(), "--kid", "a-2026")).isZero();

        ECKey privateKey = ECKey.parse(Files.readString(file));
        assertThat(privateKey.isPrivate()).isTrue();
        assertThat(privateKey.getKeyID()).isEqualTo("a-2026");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        ECKey printed = ECKey.parse(cli.out().trim());
        assertThat(printed.isPrivate()).as("only the public key is printed").isFalse();
        assertThat(printed).isEqualTo(privateKey.toPublicJWK());

        assertThat(run("keys", "generate", "--out", file.toString())).as("never overwrites a key").isEqualTo(2);
    }

    @Test
    void registersAPublicKeyForAnAppAndRefusesAPrivateOne() throws Exception {
        String database = TestPostgres.newDatabase("keys");
        Flyway.configure().dataSource(database, "postgres", "").load().migrate();
        try (Connection c = DriverManager.getConnection(database, "postgres", ""); Statement s = c.createStatement()) {
            s.execute("INSERT INTO app (name, jid) VALUES ('a', 'proxy-a@localhost')");
        }
        Path privateFile = folder.resolve("a.jwk");
        run("keys", "generate", "--out", privateFile.toString(), "--kid", "a-1");
        Path publicFile = Files.writeString(folder.resolve("a.pub.jwk"), cli.out().trim());

        assertThat(run("keys", "register", "--app", "a", "--jwk", publicFile.toString(), "--db-url", database,
                "--db-user", "postgres")).isZero();
        assertThat(run("keys", "register", "--app", "a", "--jwk", privateFile.toString(), "--db-url", database,
                "--db-user", "postgres")).isEqualTo(2);
        assertThat(cli.err()).contains("holds a private key");
        assertThat(run("keys", "register", "--app", "nobody", "--jwk", publicFile.toString(), "--db-url", database,
                "--db-user", "postgres")).isEqualTo(1);

        try (Connection c = DriverManager.getConnection(database, "postgres", ""); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT kid, jwk FROM app_key")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("a-1");
            assertThat(ECKey.parse(rs.getString(2)).isPrivate()).isFalse();
        }
    }
}
