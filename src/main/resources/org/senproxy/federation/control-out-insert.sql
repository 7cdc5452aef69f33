-- ControlMessages.queue: a control message to send (control-dispatch sends it, until acknowledged).
INSERT INTO control_message (direction, peer_jid, message_id, type, about, payload, status)
VALUES ('out', :peer, :message_id, :type, :about, :payload, 'pending')
