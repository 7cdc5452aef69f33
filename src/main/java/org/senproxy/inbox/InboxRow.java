package org.senproxy.inbox;

import java.util.List;

import org.senproxy.federation.FederationMessage;
import org.senproxy.senml.Measurement;

/**
 * An inbox row to deliver. {@code payload} is the resolved SenML pack as JSON. {@code records} are the same records
 * when the row was stored just now and they are still in memory (the sink then takes them without parsing the payload
 * again); null for a row claimed from the table.
 */
public record InboxRow(
        long id,
        String senderJid,
        String messageId,
        String correlationId,
        String payload,
        int recordCount,
        int attempts,
        List<Measurement> records) {

    /** A row read back from the table: its records are in its payload. */
    public InboxRow(
            long id,
            String senderJid,
            String messageId,
            String correlationId,
            String payload,
            int recordCount,
            int attempts) {
        this(id, senderJid, messageId, correlationId, payload, recordCount, attempts, null);
    }

    /** The row's id, not a hash of its payload and records (why: {@link FederationMessage#hashCode()}). */
    @Override
    public int hashCode() {
        return Long.hashCode(id);
    }
}
