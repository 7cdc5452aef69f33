-- outbox-dispatch: a row that could not be written to the XMPP stream is due again after a backoff.
UPDATE outbox SET attempts = attempts + 1, next_attempt_at = :next_attempt_at, last_error = :error
 WHERE id = :id AND status IN ('pending', 'sent')
