-- Retention: dead control messages written more than :days days ago (kept as long as dead letters are).
DELETE FROM control_message WHERE id IN (
  SELECT id FROM control_message
   WHERE status = 'dead' AND created_at < now() - make_interval(days => :days)
   LIMIT :batch_size FOR UPDATE SKIP LOCKED)
