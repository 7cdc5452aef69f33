-- Retention: settled control messages (sent and acknowledged, received and answered) written more than :days days ago,
-- :batch_size at a time. A message received again after that is checked anew, as an inbox row purged is.
DELETE FROM control_message WHERE id IN (
  SELECT id FROM control_message
   WHERE status IN ('acked', 'accepted', 'rejected') AND created_at < now() - make_interval(days => :days)
   LIMIT :batch_size FOR UPDATE SKIP LOCKED)
