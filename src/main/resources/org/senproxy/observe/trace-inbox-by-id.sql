-- Trace: the inbox rows of a batch, by its correlation id or the id of one of its messages.
SELECT received_at, message_id, correlation_id, sender_jid, record_count, status, attempts, delivered_at, last_error
  FROM inbox
 WHERE correlation_id = :id OR message_id::text = :id
