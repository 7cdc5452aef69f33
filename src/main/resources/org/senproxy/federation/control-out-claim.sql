-- ControlMessages.claim: the due messages, claimed (replicas share them), due again after a back-off.
WITH claimed AS (
UPDATE control_message m
   SET status = 'sent', attempts = m.attempts + 1,
       next_attempt_at = now() + make_interval(secs => :retry_seconds * power(2, least(m.attempts, 6)))
  FROM (SELECT id FROM control_message
         WHERE direction = 'out' AND status IN ('pending', 'sent') AND next_attempt_at <= now()
         ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED) due
 WHERE m.id = due.id
RETURNING m.id, m.peer_jid, m.message_id, m.type, m.payload
)
-- in the order they were queued: a key announcement queued after an enrollment's answer goes after it
SELECT peer_jid, message_id, type, payload FROM claimed ORDER BY id
