package org.senproxy.runtime;

import static org.senproxy.runtime.ProxyBeans.LOG;

import java.time.Clock;
import java.time.Duration;

import javax.sql.DataSource;

import org.apache.camel.CamelContext;
import org.senproxy.audit.AuditRetention;
import org.senproxy.audit.AuditTrail;
import org.senproxy.delivery.Retention;
import org.senproxy.observe.ConnectorMetrics;

/**
 * What routes/retention.camel.yaml runs: the deletion of finished rows ({@code retention}) and of old audit entries
 * ({@code auditRetention}).
 */
final class RetentionConfiguration {

    private RetentionConfiguration() {}

    static void bind(
            CamelContext context,
            Settings settings,
            DataSource dataSource,
            AuditTrail audit,
            ConnectorMetrics metrics) {
        context.getRegistry().bind("retention", retention(settings, dataSource, metrics));
        context.getRegistry()
                .bind(
                        "auditRetention",
                        new AuditRetention(
                                audit, settings.integer("senproxy.audit.retention-days"), Clock.systemUTC()));
    }

    /**
     * The retention of finished rows. Warns when finished rows would go before a sender with this proxy's outbox
     * settings gives up on a message: a message sent again after its inbox row is gone would be stored and delivered
     * again.
     */
    private static Retention retention(Settings settings, DataSource dataSource, ConnectorMetrics metrics) {
        int doneDays = settings.integer("senproxy.retention.done-days");
        Duration giveUp = settings.millis("senproxy.outbox.max-backoff-ms")
                .multipliedBy(settings.integer("senproxy.outbox.max-attempts"));
        if (Duration.ofDays(doneDays).compareTo(giveUp) <= 0) {
            LOG.warn(
                    "senproxy.retention.done-days ({}) is not longer than a sender's attempts (max-attempts x"
                            + " max-backoff-ms: {}): a message sent again after its inbox row is deleted is delivered again",
                    doneDays,
                    giveUp);
        }
        return new Retention(
                dataSource,
                metrics::registry,
                doneDays,
                settings.integer("senproxy.retention.keys-days"),
                settings.integer("senproxy.retention.dead-letter-days"),
                settings.integer("senproxy.retention.batch-size"));
    }
}
