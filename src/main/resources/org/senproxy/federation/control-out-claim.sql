-- ControlMessages.claim: the due messages, claimed (replicas share them), due again after a back-off.
UPDATE control_message m
   SET status = 'sent', attempts = m.attempts + 1,
       next_attempt_at = now() + make_interval(secs => :retry_seconds * power(2, least(m.attempts, 6)))
  FROM (SELECT id FROM control_message
         WHERE direction = 'out' AND status IN ('pending', 'sent') AND next_attempt_at <= now()
         ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED) due
 WHERE m.id = due.id
RETURNING m.peer_jid, m.message_id, m.type, m.payload
