-- Consents.narrow: how many queued messages of the consent hold records outside its new data period (an open end
-- is infinity); outbox-dispatch trims them when they come due.
SELECT count(*) FROM outbox
 WHERE consent_ref = :ref AND status IN ('pending', 'sent')
   AND (first_at IS NULL OR first_at < :data_from OR last_at >= coalesce(:data_until::timestamptz, 'infinity'))
