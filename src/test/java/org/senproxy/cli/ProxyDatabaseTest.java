package org.senproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The review's finding: --db-url sent the configured database password to whatever host it named. */
class ProxyDatabaseTest {

    @TempDir
    Path home;

    private ProxyDatabase database(String url) throws Exception {
        Files.writeString(
                home.resolve("application.properties"),
                "senproxy.db.url=jdbc:postgresql://db.example.org:5432/"
                        + "senproxy\nsenproxy.db.password=the-proxy-password\n");
        ProxyDatabase database = new ProxyDatabase();
        database.home = home;
        database.url = url;
        return database;
    }

    @Test
    void theConfiguredPasswordGoesToTheConfiguredServerOnly() throws Exception {
        assertThat(database(null).dataSource().getPassword()).isEqualTo("the-proxy-password");
        assertThat(database("jdbc:postgresql://db.example.org/other_db")
                        .dataSource()
                        .getPassword())
                .as("same server, another database")
                .isEqualTo("the-proxy-password");
        assertThat(database("jdbc:postgresql://attacker.example.net:5432/senproxy")
                        .dataSource()
                        .getPassword())
                .isEqualTo(System.getenv(ProxyDatabase.OTHER_PASSWORD));
        assertThat(database("jdbc:postgresql://db.example.org:6543/senproxy")
                        .dataSource()
                        .getPassword())
                .as("another port")
                .isNotEqualTo("the-proxy-password");
    }

    @Test
    void serversAreComparedByHostAndPort() {
        assertThat(ProxyDatabase.sameServer("jdbc:postgresql://h/x?password=p", "jdbc:postgresql://H:5432/y"))
                .isTrue();
        assertThat(ProxyDatabase.sameServer("jdbc:postgresql://h:1/x", "jdbc:postgresql://h:2/x"))
                .isFalse();
        assertThat(ProxyDatabase.sameServer("jdbc:postgresql:x", "jdbc:postgresql://localhost/x"))
                .isTrue();
    }
}
