-- Retention: outbox rows acknowledged more than :days days ago, :batch_size at a time.
DELETE FROM outbox WHERE id IN (
  SELECT id FROM outbox
   WHERE status = 'acked' AND acked_at < now() - make_interval(days => :days)
   LIMIT :batch_size FOR UPDATE SKIP LOCKED)
