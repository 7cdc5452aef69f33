package org.senproxy.runtime;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import org.apache.camel.CamelContext;
import org.apache.camel.component.quartz.QuartzComponent;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

/**
 * Quartz with its JDBC job store on the proxy's own PostgreSQL, clustered: the replicas of one proxy (same XMPP
 * address, same database) share their quartz triggers, and each firing runs on one replica only. So a connector
 * polls its local system once per period for the whole cluster, not once per replica; when the replica running it
 * dies, another takes the trigger over after {@code senproxy.cluster.checkin-interval-ms}.
 *
 * <p>The proxy's own loops (outbox-dispatch, inbox-delivery) run on every replica with Camel's timer instead: they
 * claim rows with leases and are meant to run everywhere. Quartz's tables come from the Flyway migration V7.
 */
public final class ClusteredQuartz {

    private ClusteredQuartz() {}

    /**
     * Configures Camel's quartz component before any route uses it.
     *
     * @param cluster the cluster's name, the same on every replica (the proxy's bare JID)
     */
    public static void configure(CamelContext context, DataSource dataSource, String cluster, long checkinMillis) {
        // Quartz takes a connection provider by name from a JVM-wide registry: a name of this context's own
        String provider = "senproxy-" + UUID.randomUUID();
        DBConnectionManager.getInstance().addConnectionProvider(provider, new ConnectionProvider() {
            @Override
            public Connection getConnection() throws SQLException {
                return dataSource.getConnection();
            }

            @Override
            public void shutdown() {
                // the pool is the proxy's, closed with it
            }

            @Override
            public void initialize() {
                // nothing: the pool exists
            }
        });
        Map<String, String> properties = new HashMap<>();
        properties.put("org.quartz.scheduler.instanceName", "sen-proxy " + cluster);
        properties.put("org.quartz.scheduler.instanceId", "AUTO");
        properties.put("org.quartz.scheduler.skipUpdateCheck", "true");
        properties.put("org.quartz.threadPool.threadCount", "10");
        properties.put("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        properties.put("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        properties.put("org.quartz.jobStore.dataSource", provider);
        properties.put("org.quartz.jobStore.isClustered", "true");
        properties.put("org.quartz.jobStore.clusterCheckinInterval", Long.toString(checkinMillis));
        properties.put("org.quartz.jobStore.misfireThreshold", "10000");
        QuartzComponent quartz = context.getComponent("quartz", QuartzComponent.class);
        quartz.setPrefixInstanceName(false); // the same name on every replica makes them one cluster
        quartz.setProperties(new HashMap<>(properties));
    }
}
