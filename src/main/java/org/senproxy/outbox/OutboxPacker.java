package org.senproxy.outbox;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.senproxy.senml.Measurement;

/**
 * Cuts resolved records into outbox messages: for each subscription, the records it covers (renamed
 * as it asks), in packs of at most {@code maxRecordsPerMessage} so that no stanza outgrows the server's limit.
 */
public final class OutboxPacker {

    private final int maxRecordsPerMessage;

    public OutboxPacker(int maxRecordsPerMessage) {
        if (maxRecordsPerMessage < 1) {
            throw new IllegalArgumentException("maxRecordsPerMessage must be at least 1");
        }
        this.maxRecordsPerMessage = maxRecordsPerMessage;
    }

    public List<OutboxEntry> pack(List<Measurement> records, List<Subscription> subscriptions) {
        List<OutboxEntry> entries = new ArrayList<>();
        for (Subscription subscription : subscriptions) {
            List<Measurement> pack = new ArrayList<>();
            for (Measurement record : records) {
                if (!subscription.covers(record.name())) {
                    continue;
                }
                pack.add(renamed(record, subscription));
                if (pack.size() == maxRecordsPerMessage) {
                    entries.add(new OutboxEntry(UUID.randomUUID(), subscription, pack));
                    pack = new ArrayList<>();
                }
            }
            if (!pack.isEmpty()) {
                entries.add(new OutboxEntry(UUID.randomUUID(), subscription, pack));
            }
        }
        return entries;
    }

    private static Measurement renamed(Measurement m, Subscription s) {
        String name = s.rename(m.name());
        if (name.equals(m.name())) {
            return m;
        }
        return new Measurement(name, m.unit(), m.time(), m.value(), m.stringValue(), m.boolValue(), m.dataValue(),
                m.sum(), m.updateTime());
    }
}
