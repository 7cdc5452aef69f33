package org.senproxy.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * An embedded PostgreSQL of its own that a test can stop and start again on the same port with the same data, as a
 * database server restart looks to its clients (the shared {@link TestPostgres} must not be restarted under other
 * tests).
 */
public final class RestartablePostgres implements AutoCloseable {

    private final int port = FreePort.next();
    private final Path data;
    private EmbeddedPostgres server;

    public RestartablePostgres() throws IOException {
        data = Files.createTempDirectory("senproxy-pg-");
        server = EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(data)
                .setCleanDataDirectory(false)
                .start();
    }

    /** Creates an empty database and returns its JDBC URL (user postgres, no password). */
    public String newDatabase(String name) throws Exception {
        try (Connection c = server.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return url(name);
    }

    public String url(String database) {
        return "jdbc:postgresql://localhost:" + port + "/" + database + "?user=postgres&currentSchema="
                + TestPostgres.SEARCH_PATH;
    }

    /** Stops the server: every connection is cut. */
    public void stop() throws IOException {
        server.close();
        server = null;
    }

    /** Starts it again, same port, same data. */
    public void start() throws IOException {
        server = EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(data)
                .setCleanDataDirectory(false)
                .start();
    }

    @Override
    public void close() throws IOException {
        if (server != null) {
            server.close();
        }
    }
}
