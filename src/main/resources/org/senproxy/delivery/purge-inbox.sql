-- Retention: inbox rows delivered more than :days days ago, :batch_size at a time.
DELETE FROM inbox WHERE id IN (
  SELECT id FROM inbox
   WHERE status = 'delivered' AND delivered_at < now() - make_interval(days => :days)
   LIMIT :batch_size FOR UPDATE SKIP LOCKED)
