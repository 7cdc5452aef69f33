-- Trace: the outbox rows of a batch, by its correlation id or the id of one of its messages.
SELECT created_at, message_id::text, correlation_id, recipient_jid, record_count, status, attempts, sent_at, acked_at,
       last_error
  FROM outbox
 WHERE correlation_id = :id OR message_id::text = :id
