-- inbox-delivery: claims pending rows that are due (new rows whose first delivery did not finish, and retries);
-- pushing next_attempt_at forward is the lease. Rows locked by another replica are skipped, not waited for.
UPDATE inbox i SET next_attempt_at = now() + :lease_ms * interval '1 millisecond', claimed_by = :replica FROM (
  SELECT id FROM inbox WHERE status = 'pending' AND next_attempt_at <= now()
   ORDER BY next_attempt_at, id LIMIT :batch_size FOR UPDATE SKIP LOCKED) due
 WHERE i.id = due.id
RETURNING i.id, i.sender_jid, i.message_id, i.correlation_id, i.payload, i.record_count, i.attempts
