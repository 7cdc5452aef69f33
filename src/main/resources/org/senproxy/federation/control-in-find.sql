-- ControlMessages: a control message received before, and what it was answered.
SELECT status, reason FROM control_message WHERE direction = 'in' AND peer_jid = :peer AND message_id = :message_id
