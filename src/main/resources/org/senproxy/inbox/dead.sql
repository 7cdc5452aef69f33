-- inbox-delivery: a row out of attempts becomes a dead letter, in one statement.
WITH dead AS (
  UPDATE inbox SET status = 'dead', attempts = attempts + 1, last_error = :error
   WHERE id = :id AND status = 'pending'
  RETURNING id, message_id, sender_jid, attempts, payload, correlation_id)
INSERT INTO dead_letter (origin, row_id, message_id, route_id, peer_jid, reason, attempts, payload, correlation_id)
SELECT 'inbox', id, message_id, 'inbox-deliver', sender_jid,
       'not delivered after ' || attempts || ' attempts; last error: ' || :error, attempts, payload, correlation_id
  FROM dead
