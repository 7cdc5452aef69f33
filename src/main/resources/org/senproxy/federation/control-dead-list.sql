-- ControlMessages.dead: the control messages that never reached their peer (no acknowledgement after the last attempt)
-- or that it refused, newest first.
SELECT id, created_at, peer_jid, type, about, attempts, message_id, reason
  FROM control_message
 WHERE direction = 'out' AND status = 'dead'
 ORDER BY id DESC
 LIMIT :limit
