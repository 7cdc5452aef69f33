-- Retention: withheld outbox rows (their consent was revoked or ran out) are as final as acknowledged ones; no resend
-- follows.
DELETE FROM outbox WHERE id IN (
  SELECT id FROM outbox
   WHERE status = 'revoked' AND created_at < now() - make_interval(days => :days)
   LIMIT :batch_size FOR UPDATE SKIP LOCKED)
