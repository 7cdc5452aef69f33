package org.senproxy.outbox;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.senproxy.senml.Measurement;

/**
 * Cuts resolved records into outbox messages: for each subscription, the records it covers (series in its scope,
 * measured in its consent's data period, renamed as it asks), in packs of at most {@code maxRecordsPerMessage} so
 * that no stanza outgrows the server's limit.
 */
public final class OutboxPacker {

    private final int maxRecordsPerMessage;

    /**
     * What packing made: the entries, and how many records a subscription's scope covered but its data period did not
     * (never sent; counted, since a data owner's officer asks how much was held back).
     */
    public record Packed(List<OutboxEntry> entries, int outsideDataPeriod) {}

    public OutboxPacker(int maxRecordsPerMessage) {
        if (maxRecordsPerMessage < 1) {
            throw new IllegalArgumentException("maxRecordsPerMessage must be at least 1");
        }
        this.maxRecordsPerMessage = maxRecordsPerMessage;
    }

    public Packed pack(List<Measurement> records, List<Subscription> subscriptions) {
        List<OutboxEntry> entries = new ArrayList<>();
        int outside = 0;
        for (Subscription subscription : subscriptions) {
            List<Measurement> pack = new ArrayList<>();
            for (Measurement record : records) {
                if (!subscription.covers(record.name())) {
                    continue;
                }
                if (!subscription.coversTime(record.instant())) {
                    outside++;
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
        return new Packed(entries, outside);
    }

    private static Measurement renamed(Measurement m, Subscription s) {
        String name = s.rename(m.name());
        if (name.equals(m.name())) {
            return m;
        }
        return new Measurement(
                name,
                m.unit(),
                m.time(),
                m.value(),
                m.stringValue(),
                m.boolValue(),
                m.dataValue(),
                m.sum(),
                m.updateTime());
    }
}
