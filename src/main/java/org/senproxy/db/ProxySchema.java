package org.senproxy.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.postgresql.core.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL schema that holds the proxy's own tables (setting {@value #KEY}, default {@value #DEFAULT}), so
 * that the proxy can share a database whose {@code public} schema already holds the local application's tables
 * (postgres-sink's and sql-source's normal case). Flyway creates the schema if missing and keeps its history there.
 * <p>
 * The proxy's connections search that schema first, then {@code public}: the proxy's statements name its tables
 * without a schema, and a connector's own SQL still finds the local application's tables in {@code public}.
 * <p>
 * An installation from before this setting has its tables, and Flyway's history, in {@code public}. When
 * {@value #KEY} is not set and only {@code public} holds the proxy's history, the proxy keeps using {@code public}
 * (and says so once in the log), so an upgrade needs no step.
 */
public final class ProxySchema {

    public static final String KEY = "senproxy.db.schema";
    public static final String DEFAULT = "senproxy";
    static final String LEGACY = "public";
    /** The first migration's script: its row in a schema's Flyway history says the proxy's tables are there. */
    private static final String FIRST_SCRIPT = "V1__federation_loop.sql";

    private static final Logger LOG = LoggerFactory.getLogger(ProxySchema.class);
    private static final Sql HISTORY = Sql.of(ProxySchema.class, "schema-history");

    private ProxySchema() {}

    /**
     * The schema to use: the configured one, else {@value #DEFAULT}, except for an installation whose proxy tables
     * are in {@code public} only (see the class comment).
     */
    public static String choose(DataSource dataSource, Optional<String> configured) {
        if (configured.isPresent()) {
            return valid(configured.get());
        }
        try (Connection c = dataSource.getConnection()) {
            if (!holdsProxyTables(c, DEFAULT) && holdsProxyTables(c, LEGACY)) {
                LOG.warn(
                        "The proxy's tables are in schema public (an installation from before {}): they stay there."
                                + " Set {}=public to say so and silence this line",
                        KEY,
                        KEY);
                return LEGACY;
            }
            return DEFAULT;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the database's schemas: " + e.getMessage(), e);
        }
    }

    /** Brings the proxy's tables in {@code schema} up to date (creating the schema if missing). */
    public static void migrate(DataSource dataSource, String schema) {
        Flyway.configure()
                .dataSource(dataSource)
                .schemas(valid(schema))
                .createSchemas(true)
                .load()
                .migrate();
    }

    /** The search path the proxy's connections use (pgjdbc's currentSchema): its schema, then public. */
    public static String searchPath(String schema) {
        return LEGACY.equals(schema) ? LEGACY : valid(schema) + "," + LEGACY;
    }

    /** A schema name the proxy accepts: a plain lower-case SQL identifier, so that it needs no quoting anywhere. */
    static String valid(String schema) {
        if (!schema.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException(
                    KEY + " must be a lower-case SQL identifier (letters, digits, _), not '" + schema + "'");
        }
        return schema;
    }

    private static boolean holdsProxyTables(Connection c, String schema) throws SQLException {
        if (HISTORY.one(c, HISTORY.params().text("schema", schema), rs -> rs.getString(1)) == null) {
            return false; // no such table (to_regclass is null)
        }
        // The one statement built at run time (NoSqlInJavaTest allows it): the table's schema is an identifier, which
        // no parameter can stand for. It is quoted with pgjdbc's identifier escaping, on top of valid()'s check
        // (here it is one of two constants anyway), so the name can only ever be read as a name.
        Sql first = Sql.parse(
                "first-migration",
                "SELECT 1 FROM " + Utils.escapeIdentifier(null, schema)
                        + ".flyway_schema_history WHERE script = :script");
        return first.one(c, first.params().text("script", FIRST_SCRIPT), rs -> Boolean.TRUE) != null;
    }
}
