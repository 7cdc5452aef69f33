package org.senproxy.runtime;

import javax.sql.DataSource;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import org.senproxy.audit.AuditTrail;
import org.senproxy.delivery.DeadLetters;
import org.senproxy.inbox.InboundRejects;
import org.senproxy.inbox.InboxRepository;

/**
 * The receiving side: the inbox ({@code inbox}), the threads that settle federation-inbound's batches
 * ({@code inboundBatches}), and what becomes of a message the inbox cannot take: a dead letter ({@code deadLetters})
 * and an answer to its sender ({@code inboundRejects}).
 */
final class InboxConfiguration {

    private InboxConfiguration() {}

    /** @return the dead letters, which the status page lists too */
    static DeadLetters bind(
            CamelContext context,
            Settings settings,
            DataSource dataSource,
            AuditTrail audit,
            String replica,
            FederationConfiguration federation) {
        Registry registry = context.getRegistry();
        registry.bind(
                "inbox",
                new InboxRepository(
                        dataSource,
                        audit,
                        replica,
                        settings.integer("senproxy.inbox.batch-size"),
                        settings.integer("senproxy.inbox.lease-ms"),
                        ProxyBeans.retry(
                                settings,
                                "senproxy.inbox.max-attempts",
                                "senproxy.inbox.retry-first-ms",
                                "senproxy.inbox.max-backoff-ms")));
        registry.bind(
                "inboundBatches",
                ProxyBeans.batchThreads(
                        context, "inbound-batches", settings.integer("senproxy.inbound.batch-threads")));
        DeadLetters deadLetters = new DeadLetters(dataSource);
        registry.bind("deadLetters", deadLetters);
        registry.bind("inboundRejects", new InboundRejects(deadLetters, audit, federation.codec(), federation.peers()));
        return deadLetters;
    }
}
