package org.senproxy.runtime;

import javax.sql.DataSource;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import org.senproxy.observe.ConnectorMetrics;
import org.senproxy.outbox.GatheredRecords;
import org.senproxy.outbox.HeldCompletions;
import org.senproxy.outbox.OutboxAcks;
import org.senproxy.outbox.OutboxAppend;
import org.senproxy.outbox.OutboxDispatch;
import org.senproxy.outbox.OutboxPacker;
import org.senproxy.outbox.SendResults;
import org.senproxy.outbox.SourceRecords;

/**
 * The sending side: the outbox by job ({@code outboxAppend}, {@code outboxDispatch}, {@code outboxAcks}), what outbox-append and source-gather take records with
 * ({@code sourceRecords}, {@code heldCompletions}, {@code gatheredRecords}, {@code gatherBatches}), outbox-dispatch's
 * send results ({@code sendResults}) and the threads that settle outbox-ack's batches ({@code ackBatches}).
 */
final class OutboxConfiguration {

    private OutboxConfiguration() {}

    static void bind(
            CamelContext context,
            Settings settings,
            DataSource dataSource,
            TrustConfiguration trust,
            String jid,
            String replica,
            ConnectorMetrics metrics) {
        Registry registry = context.getRegistry();
        OutboxPacker packer = new OutboxPacker(settings.integer("senproxy.outbox.max-records-per-message"));
        registry.bind("outboxAppend", new OutboxAppend(dataSource, trust.consentRequired(), packer));
        OutboxDispatch dispatch = new OutboxDispatch(
                dataSource,
                trust.audit(),
                jid,
                trust.consentRequired(),
                packer,
                replica,
                settings.integer("senproxy.outbox.batch-size"),
                settings.integer("senproxy.outbox.window"),
                settings.integer("senproxy.outbox.lease-ms"),
                ProxyBeans.retry(
                        settings,
                        "senproxy.outbox.max-attempts",
                        "senproxy.outbox.retry-first-ms",
                        "senproxy.outbox.max-backoff-ms"),
                ProxyBeans.retry(
                        settings,
                        "senproxy.outbox.max-attempts",
                        "senproxy.outbox.ack-timeout-ms",
                        "senproxy.outbox.max-backoff-ms"));
        dispatch.countWithheld(metrics);
        registry.bind("outboxDispatch", dispatch);
        registry.bind("outboxAcks", new OutboxAcks(dataSource, trust.audit(), jid));
        registry.bind("sourceRecords", new SourceRecords());
        registry.bind("sendResults", new SendResults());
        registry.bind(
                "ackBatches",
                ProxyBeans.batchThreads(context, "ack-batches", settings.integer("senproxy.outbox.ack-batch-threads")));
        // routes/source-gather.camel.yaml
        registry.bind("heldCompletions", new HeldCompletions());
        registry.bind("gatheredRecords", new GatheredRecords());
        registry.bind(
                "gatherBatches",
                ProxyBeans.batchThreads(context, "source-gather", settings.integer("senproxy.source.gather-threads")));
    }
}
