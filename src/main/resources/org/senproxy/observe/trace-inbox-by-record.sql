-- Trace: the inbox rows holding a record (a resolved SenML payload holds it as an object with its absolute name and
-- time: :pattern is [{"n": ..., "t": ...}]).
SELECT received_at, message_id, correlation_id, sender_jid, record_count, status, attempts, delivered_at, last_error
  FROM inbox
 WHERE payload::jsonb @> :pattern::jsonb
