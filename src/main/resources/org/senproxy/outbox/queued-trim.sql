-- QueuedTrim: a row keeps only its records inside the data period.
UPDATE outbox SET payload = :payload, record_count = :record_count, transfer = :transfer, first_at = :first_at,
       last_at = :last_at
 WHERE id = :id
