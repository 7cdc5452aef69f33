package org.senproxy.observe;

import java.sql.Connection;
import java.util.Map;
import java.util.function.BooleanSupplier;

import javax.sql.DataSource;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness checks of what a proxy needs to move data: its XMPP session and its PostgreSQL database. Both are
 * readiness only: while either is down the proxy is not ready (Kubernetes takes it out of service), but it is alive,
 * since restarting it would not bring the server back; it reconnects by itself. Served by Camel Main at
 * {@code /observe/health/ready}; liveness ({@code /observe/health/live}) is Camel's own.
 */
public final class ConnectivityChecks {

    private ConnectivityChecks() {}

    /** Up while the federation's XMPP session is logged in. */
    public static AbstractHealthCheck xmpp(BooleanSupplier online) {
        return new ReadinessCheck("xmpp") {
            @Override
            protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
                if (online.getAsBoolean()) {
                    builder.up();
                } else {
                    builder.message("the XMPP session is down; reconnecting").down();
                }
            }
        };
    }

    /** Up while a connection of the pool answers within {@code timeoutSeconds}. */
    public static AbstractHealthCheck database(DataSource dataSource, int timeoutSeconds) {
        return new ReadinessCheck("database") {
            @Override
            protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
                try (Connection connection = dataSource.getConnection()) {
                    if (connection.isValid(timeoutSeconds)) {
                        builder.up();
                    } else {
                        builder.message("PostgreSQL did not answer within " + timeoutSeconds + " s")
                                .down();
                    }
                } catch (Exception e) {
                    builder.message("PostgreSQL is unreachable: " + e.getMessage())
                            .error(e)
                            .down();
                }
            }
        };
    }

    private abstract static class ReadinessCheck extends AbstractHealthCheck {
        ReadinessCheck(String id) {
            super("sen-proxy", id);
        }

        @Override
        public boolean isLiveness() {
            return false;
        }
    }
}
