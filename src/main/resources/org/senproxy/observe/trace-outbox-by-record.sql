-- Trace: the outbox rows holding a record (a resolved SenML payload holds it as an object with its absolute name
-- and time: :pattern is [{"n": ..., "t": ...}]).
SELECT created_at, message_id::text, correlation_id, recipient_jid, record_count, status, attempts, sent_at, acked_at,
       last_error
  FROM outbox
 WHERE payload::jsonb @> :pattern::jsonb
