package org.senproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.senproxy.db.ProxySchema;
import org.senproxy.testing.TestPostgres;

/**
 * The proxy's tables live in a schema of their own (senproxy.db.schema, default senproxy), so that it can share the
 * local application's database, whose public schema already holds tables; an installation from before keeps its
 * tables in public.
 */
class ProxySchemaTest {

    @RegisterExtension
    final CommandRunner cli = new CommandRunner();

    @Test
    void aDatabaseWhosePublicSchemaHoldsTablesGetsTheProxysOwnSchemaBesideThem() throws Exception {
        String database = TestPostgres.newDatabase("shared");
        // the local application's tables, one of them named like one of the proxy's
        execute(
                database,
                "CREATE TABLE public.app (code int PRIMARY KEY, label text)",
                "INSERT INTO public.app VALUES (7, 'heating')",
                "CREATE TABLE public.readings (meter text, kwh numeric)");

        assertThat(cli.run(
                        "apps",
                        "add",
                        "--name",
                        "city",
                        "--jid",
                        "city@example.org",
                        "--db-url",
                        database,
                        "--db-user",
                        "postgres"))
                .as(cli.err())
                .isZero();

        assertThat(text(database, "SELECT string_agg(name || ' ' || jid, ',') FROM senproxy.app"))
                .isEqualTo("city city@example.org");
        assertThat(text(database, "SELECT code || ' ' || label FROM public.app"))
                .isEqualTo("7 heating");
        assertThat(text(database, "SELECT to_regclass('public.flyway_schema_history')::text"))
                .isNull();
        assertThat(text(
                        database,
                        "SELECT count(*)::text FROM pg_tables WHERE schemaname = 'senproxy'"
                                + " AND tablename IN ('outbox', 'inbox', 'consent', 'flyway_schema_history')"))
                .isEqualTo("4");
        assertThat(cli.run("apps", "list", "--db-url", database, "--db-user", "postgres"))
                .isZero();
        assertThat(cli.out()).contains("city@example.org").doesNotContain("heating");
    }

    @Test
    void anInstallationWithItsTablesInPublicKeepsUsingThem() throws Exception {
        String database = TestPostgres.newDatabase("before_schema");
        // the layout of every installation before senproxy.db.schema: Flyway's default, the public schema
        Flyway.configure().dataSource(database, "postgres", "").load().migrate();
        execute(database, "INSERT INTO public.app (name, jid) VALUES ('old-peer', 'old@example.org')");

        assertThat(cli.run("apps", "list", "--db-url", database, "--db-user", "postgres"))
                .as(cli.err())
                .isZero();

        assertThat(cli.out()).contains("old@example.org");
        assertThat(text(database, "SELECT count(*)::text FROM pg_namespace WHERE nspname = 'senproxy'"))
                .isEqualTo("0");
    }

    @Test
    void theSchemaIsAPlainIdentifier() {
        assertThat(ProxySchema.searchPath("proxy_2")).isEqualTo("proxy_2,public");
        assertThat(ProxySchema.searchPath("public")).isEqualTo("public");
        assertThatThrownBy(() -> ProxySchema.searchPath("x; DROP TABLE app"))
                .hasMessageContaining("senproxy.db.schema must be a lower-case SQL identifier");
    }

    private static void execute(String database, String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    private static String text(String database, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
