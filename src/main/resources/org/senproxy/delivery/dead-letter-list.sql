-- The newest dead letters first; replayed ones only when asked.
SELECT id, origin, message_id, correlation_id, route_id, peer_jid, reason, attempts, created_at, replayed_at
  FROM dead_letter
 WHERE replayed_at IS NULL OR :with_replayed
 ORDER BY id DESC
 LIMIT :limit
