-- ControlMessages.claim: messages that had all their attempts without an acknowledgement become dead.
UPDATE control_message SET status = 'dead', reason = 'no acknowledgement after ' || attempts || ' attempts'
 WHERE direction = 'out' AND status IN ('pending', 'sent') AND attempts >= :max_attempts AND next_attempt_at <= now()
RETURNING peer_jid, message_id, type, about
