package org.senproxy.outbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.senproxy.senml.Measurement;

/**
 * For the benchmark's outbox backlog (org.senproxy.bench.ThroughputBenchmark): rows written by the proxy's own
 * statement, with their canonical payload and the digest outbox-dispatch signs, for one consumer under one consent.
 */
public final class OutboxRowsAccess {

    private OutboxRowsAccess() {}

    public static void insert(
            Connection c,
            long consumerId,
            String recipientJid,
            String consentRef,
            List<List<Measurement>> packs,
            String correlationId)
            throws SQLException {
        Subscription subscription =
                new Subscription(consumerId, recipientJid, "", null, null, consentRef, null, null, true);
        List<OutboxEntry> entries = new ArrayList<>();
        for (List<Measurement> pack : packs) {
            entries.add(new OutboxEntry(UUID.randomUUID(), subscription, pack));
        }
        OutboxRows.insert(c, entries, correlationId);
    }
}
