-- Retention: dead letters replayed more than :days days ago, :batch_size at a time.
DELETE FROM dead_letter WHERE id IN (
  SELECT id FROM dead_letter
   WHERE replayed_at IS NOT NULL AND replayed_at < now() - make_interval(days => :days)
   LIMIT :batch_size FOR UPDATE SKIP LOCKED)
