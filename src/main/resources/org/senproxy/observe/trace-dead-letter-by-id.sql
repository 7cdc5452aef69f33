-- Trace: the dead letters of a batch, by its correlation id or the id of one of its messages.
SELECT created_at, message_id, correlation_id, peer_jid, origin, route_id, reason, attempts, replayed_at
  FROM dead_letter
 WHERE correlation_id = :id OR message_id::text = :id
