-- A replay: the inbox row is pending again, with fresh attempts, due now.
UPDATE inbox SET status = 'pending', attempts = 0, next_attempt_at = now(), last_error = NULL, claimed_by = NULL
 WHERE id = :row_id AND status = 'dead'
