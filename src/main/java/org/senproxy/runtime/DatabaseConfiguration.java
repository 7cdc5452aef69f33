package org.senproxy.runtime;

import java.util.Optional;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.CamelContext;
import org.senproxy.db.ProxySchema;

/** The proxy's one pooled DataSource ({@code dataSource}), its schema migrated by Flyway before any bean uses it. */
final class DatabaseConfiguration {

    private DatabaseConfiguration() {}

    static HikariDataSource bind(CamelContext context, Settings settings) {
        Optional<String> schema = settings.optional(ProxySchema.KEY);
        HikariDataSource dataSource = dataSource(settings, ProxySchema.searchPath(schema.orElse(ProxySchema.DEFAULT)));
        ProxySchema.migrate(dataSource, ProxySchema.choose(dataSource, schema));
        context.getRegistry().bind("dataSource", dataSource);
        return dataSource;
    }

    private static HikariDataSource dataSource(Settings settings, String searchPath) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("sen-proxy");
        config.setJdbcUrl(settings.string("senproxy.db.url"));
        config.setUsername(settings.string("senproxy.db.user"));
        settings.optional("senproxy.db.password").ifPresent(config::setPassword);
        config.setMaximumPoolSize(settings.integer("senproxy.db.pool-size"));
        config.setInitializationFailTimeout(settings.integer("senproxy.db.connect-timeout-ms"));
        // a JDBC batch of INSERTs (audit entries, outbox rows, postgres-sink's records) goes as multi-row INSERTs: one
        // statement per 128 rows for PostgreSQL to run, not one per row. Batch update counts then read "no info"
        // (SUCCESS_NO_INFO): no code here reads them
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        // the proxy's tables in their own schema, then the local application's in public (ProxySchema)
        config.addDataSourceProperty("currentSchema", searchPath);
        return new HikariDataSource(config);
    }
}
