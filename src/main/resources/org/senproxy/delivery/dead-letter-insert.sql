-- A dead letter of its own: an inbound message that has no inbox row (malformed, unknown sender...).
INSERT INTO dead_letter (origin, row_id, message_id, route_id, peer_jid, reason, attempts, payload)
VALUES (:origin, :row_id, :message_id, :route_id, :peer_jid, :reason, :attempts, :payload)
