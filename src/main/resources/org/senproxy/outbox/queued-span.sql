-- QueuedTrim: a row whose records are all inside keeps them, with its span written so that it is not read again.
UPDATE outbox SET first_at = :first_at, last_at = :last_at WHERE id = :id
