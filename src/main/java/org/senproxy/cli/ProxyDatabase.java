package org.senproxy.cli;

import java.nio.file.Path;
import java.util.Map;

import org.postgresql.ds.PGSimpleDataSource;
import org.senproxy.runtime.StartupSettings;
import picocli.CommandLine.Option;

/**
 * The options of the commands that read a proxy's database (picocli mixin): its home folder, whose
 * application.properties and environment give senproxy.db.url, .user and .password as the proxy reads them, and
 * overrides of the URL and user.
 */
public final class ProxyDatabase {

    @Option(names = "--home", description = "the proxy's home folder (default: SENPROXY_HOME, else the working"
            + " directory)")
    Path home;

    @Option(names = "--db-url", description = "the proxy's database (default: senproxy.db.url)")
    String url;

    @Option(names = "--db-user", description = "its user (default: senproxy.db.user); its password is"
            + " senproxy.db.password")
    String user;

    /** The proxy's settings, as it reads them at start-up (home folder's application.properties, environment). */
    public StartupSettings settings() {
        return new StartupSettings(Cli.home(home), Map.of());
    }

    /** The proxy's database. */
    public PGSimpleDataSource dataSource() {
        StartupSettings settings = settings();
        return dataSource(url != null ? url : settings.get("senproxy.db.url", "jdbc:postgresql://localhost:5432/senproxy"),
                user != null ? user : settings.get("senproxy.db.user", "senproxy"), settings.get("senproxy.db.password"));
    }

    /** A database by URL, user and password (none when null). */
    public static PGSimpleDataSource dataSource(String url, String user, String password) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(url);
        dataSource.setUser(user);
        if (password != null) {
            dataSource.setPassword(password);
        }
        return dataSource;
    }
}
