-- ControlMessages: a control message received, with its answer.
INSERT INTO control_message (direction, peer_jid, message_id, type, payload, status, reason)
VALUES ('in', :peer, :message_id, :type, :payload, :status, :reason)
ON CONFLICT (direction, peer_jid, message_id) DO NOTHING
