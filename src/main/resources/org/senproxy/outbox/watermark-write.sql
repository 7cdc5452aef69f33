-- Watermarks: moved with a poll's records, in outbox-append's transaction.
INSERT INTO watermark (source, value) VALUES (:source, :value)
    ON CONFLICT (source) DO UPDATE SET value = excluded.value, updated_at = now()
