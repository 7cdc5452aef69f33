package org.senproxy.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import org.flywaydb.core.api.FlywayException;
import org.postgresql.Driver;
import org.postgresql.ds.PGSimpleDataSource;
import org.senproxy.db.ProxySchema;
import org.senproxy.db.Urls;
import org.senproxy.runtime.StartupSettings;
import picocli.CommandLine.Option;

/**
 * The options of the commands that read a proxy's database (picocli mixin): its home folder, whose
 * application.properties and environment give senproxy.db.url, .user and .password as the proxy reads them, and
 * overrides of the URL and user.
 */
public final class ProxyDatabase {

    @Option(
            names = "--home",
            description = "the proxy's home folder (default: SENPROXY_HOME, else the working" + " directory)")
    Path home;

    @Option(
            names = "--db-url",
            description = "the proxy's database (default: senproxy.db.url); on another server"
                    + " than that one, its password is " + OTHER_PASSWORD + ", not senproxy.db.password")
    String url;

    @Option(
            names = "--db-user",
            description = "its user (default: senproxy.db.user); its password is" + " senproxy.db.password")
    String user;

    /** The proxy's settings, as it reads them at start-up (home folder's application.properties, environment). */
    public StartupSettings settings() {
        return new StartupSettings(Cli.home(home), Map.of());
    }

    /** The environment variable holding the password of a --db-url on another server than the configured one. */
    public static final String OTHER_PASSWORD = "SENPROXY_DB_URL_PASSWORD";

    /**
     * The proxy's database. The configured password (senproxy.db.password) goes only to the configured server: a
     * {@code --db-url} naming another host or port gets the password in {@value #OTHER_PASSWORD}, or none, so that a
     * mistyped or planted URL does not receive the proxy's credentials.
     */
    public PGSimpleDataSource dataSource() {
        StartupSettings settings = settings();
        String configured = settings.get("senproxy.db.url");
        String chosen = url != null ? url : configured;
        String password =
                sameServer(chosen, configured) ? settings.get("senproxy.db.password") : System.getenv(OTHER_PASSWORD);
        PGSimpleDataSource dataSource =
                dataSource(chosen, user != null ? user : settings.get("senproxy.db.user"), password);
        dataSource.setCurrentSchema(ProxySchema.searchPath(configuredSchema().orElse(ProxySchema.DEFAULT)));
        return dataSource;
    }

    private Optional<String> configuredSchema() {
        return Optional.ofNullable(settings().get(ProxySchema.KEY));
    }

    /**
     * The proxy's database with its schema up to date: the proxy's own Flyway migrations, as the proxy runs them at
     * start-up, so that the commands work before the first start (apps add, consents grant on an empty database).
     *
     * @throws IllegalStateException saying, in one line, that the database cannot be reached or migrated
     */
    public PGSimpleDataSource migrated() {
        PGSimpleDataSource dataSource = dataSource();
        try {
            ProxySchema.migrate(dataSource, ProxySchema.choose(dataSource, configuredSchema()));
        } catch (FlywayException | IllegalStateException e) {
            // the command line's error handler adds the root cause (connection refused...) to this line
            throw new IllegalStateException(
                    "cannot bring the database " + Urls.redacted(dataSource.getUrl()) + " up to date", e);
        }
        return dataSource;
    }

    /** Whether two JDBC URLs name the same servers (hosts and ports, as pgjdbc reads the URL; no port is 5432). */
    static boolean sameServer(String a, String b) {
        return server(a).equalsIgnoreCase(server(b));
    }

    private static String server(String jdbcUrl) {
        Properties parsed = Driver.parseURL(jdbcUrl, new Properties());
        return parsed == null ? jdbcUrl : parsed.getProperty("PGHOST") + ":" + parsed.getProperty("PGPORT");
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
