-- A control message to send (control-dispatch sends it, until acknowledged).
INSERT INTO control_message (direction, peer_jid, message_id, type, payload, status)
VALUES ('out', :peer, :message_id, :type, :payload, 'pending')
