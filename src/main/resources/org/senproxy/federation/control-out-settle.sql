-- ControlMessages.settle: a sent control message acknowledged (acked) or refused (dead, with the peer's reason).
UPDATE control_message SET status = :status, reason = :reason
 WHERE direction = 'out' AND peer_jid = :peer AND message_id = :message_id AND status IN ('pending', 'sent')
RETURNING type, about
