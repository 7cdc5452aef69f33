-- outbox-ack: settles acknowledged rows, a batch of (message id, recipient) pairs in one statement. The rows are
-- locked in id order first, the order in which outbox-dispatch marks a batch written (written.sql, in id order): an ack
-- that overtakes that mark (the peer answers before it commits) waits for it instead of deadlocking with it, which
-- happened under load (a benchmark run: six acks lost to a deadlock, their messages sent and acknowledged again).
WITH locked AS (
  SELECT o.id FROM outbox o
    JOIN unnest(:message_ids::uuid[], :recipients::text[]) AS a(message_id, recipient_jid)
      ON o.message_id = a.message_id AND o.recipient_jid = a.recipient_jid
   WHERE o.status IN ('pending', 'sent') ORDER BY o.id FOR UPDATE OF o),
r AS (
  UPDATE outbox o SET status = 'acked', acked_at = now() FROM locked
   WHERE o.id = locked.id AND o.status IN ('pending', 'sent')
  RETURNING o.message_id, o.recipient_jid, o.correlation_id, o.consent_ref, o.record_count,
            transfer, CASE WHEN transfer IS NULL THEN payload END AS untold)
SELECT r.message_id::text, r.recipient_jid, r.correlation_id, r.consent_ref::text, u.external_id,
       r.transfer, r.untold, r.record_count
  FROM r
  LEFT JOIN consent k ON k.ref = r.consent_ref
  LEFT JOIN federated_user u ON u.id = k.user_id
