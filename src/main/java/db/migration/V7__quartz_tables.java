package db.migration;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Statement;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import org.quartz.impl.jdbcjobstore.JobStoreSupport;

/**
 * The tables of Quartz's JDBC job store, which clusters the connectors' polls over the replicas of a proxy (see
 * org.senproxy.runtime.ClusteredQuartz). Quartz ships their PostgreSQL definition in its jar; it is run from there,
 * so that the schema follows the Quartz version in use, minus its DROP statements (a migration creates).
 */
public class V7__quartz_tables extends BaseJavaMigration {

    private static final String SCRIPT = "org/quartz/impl/jdbcjobstore/tables_postgres.sql";

    @Override
    public void migrate(Context context) throws Exception {
        try (Statement statement = context.getConnection().createStatement()) {
            for (String sql : statements(script())) {
                if (!sql.toUpperCase().startsWith("DROP ") && !sql.equalsIgnoreCase("COMMIT")) {
                    statement.execute(sql);
                }
            }
        }
    }

    private static String script() throws IOException {
        try (InputStream in = JobStoreSupport.class.getClassLoader().getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new IllegalStateException("Quartz's " + SCRIPT + " is not on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The script's statements: comment lines dropped, split on semicolons (the script has no other). */
    static java.util.List<String> statements(String script) {
        StringBuilder code = new StringBuilder();
        for (String line : script.split("\n")) {
            if (!line.trim().startsWith("--") && !line.trim().startsWith("#")) {
                code.append(line).append('\n');
            }
        }
        return java.util.Arrays.stream(code.toString().split(";"))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }
}
