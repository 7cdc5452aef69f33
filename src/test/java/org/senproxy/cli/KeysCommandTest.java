package org.senproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.nimbusds.jose.jwk.ECKey;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senproxy.SenProxy;
import org.senproxy.testing.TestPostgres;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** {@code sen-proxy keys generate|register}. */
class KeysCommandTest {

    @TempDir
    Path folder;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    private final Level rootLevel = root.getLevel();

    @AfterEach
    void restore() {
        root.setLevel(rootLevel);
    }

    private int run(String... args) {
        out.getBuffer().setLength(0);
        return new CommandLine(new SenProxy()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
    }

    @Test
    void generatesAPrivateKeyOnlyItsOwnerReadsAndPrintsThePublicOne() throws Exception {
        Path file = folder.resolve("proxy-a.jwk");
        assertThat(run("keys", "generate", "--out", file.toString(), "--kid", "a-2026")).isZero();

        ECKey privateKey = ECKey.parse(Files.readString(file));
        assertThat(privateKey.isPrivate()).isTrue();
        assertThat(privateKey.getKeyID()).isEqualTo("a-2026");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        ECKey printed = ECKey.parse(out.toString().trim());
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
        Path publicFile = Files.writeString(folder.resolve("a.pub.jwk"), out.toString().trim());

        assertThat(run("keys", "register", "--app", "a", "--jwk", publicFile.toString(), "--db-url", database,
                "--db-user", "postgres")).isZero();
        assertThat(run("keys", "register", "--app", "a", "--jwk", privateFile.toString(), "--db-url", database,
                "--db-user", "postgres")).isEqualTo(2);
        assertThat(err.toString()).contains("holds a private key");
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
