-- federation-inbound: stores a batch of received messages in one statement; a message stored before (a resend) gives
-- no row. The new rows are leased to the caller, which delivers them at once; a crash lets the lease run out.
INSERT INTO inbox (sender_jid, message_id, correlation_id, format_version,
                   payload, record_count, next_attempt_at, claimed_by)
SELECT m.sender_jid, m.message_id, m.correlation_id, m.format_version, m.payload, m.record_count,
       now() + :lease_ms * interval '1 millisecond', :replica
  FROM unnest(:sender_jids::text[], :message_ids::text[], :correlation_ids::text[], :format_versions::int[],
              :payloads::text[], :record_counts::int[])
       AS m(sender_jid, message_id, correlation_id, format_version, payload, record_count)
    ON CONFLICT (sender_jid, message_id) DO NOTHING
RETURNING id, sender_jid, message_id
