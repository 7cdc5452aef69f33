-- QueuedTrim: a row with no record inside the data period is withheld whole.
UPDATE outbox SET status = 'revoked', last_error = :reason WHERE id = :id
