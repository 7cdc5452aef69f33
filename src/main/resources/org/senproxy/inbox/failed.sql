-- inbox-delivery: a row whose delivery failed is due again after a backoff.
UPDATE inbox SET attempts = attempts + 1, next_attempt_at = :next_attempt_at, last_error = :error
 WHERE id = :id AND status = 'pending'
