-- Bounded (issue 22): only the first 500 due rows of each recipient are looked at (V18, outbox_due_heads), not a
-- backlog of millions; claim.sql takes none of the rows behind them that would fail this check, so they are
-- settled when they come to the head.
-- QueuedTrim: due rows whose span of record times is not inside their consent's data period whole, and rows from
-- before the span was written, locked.
SELECT o.id, o.message_id::text, o.recipient_jid, o.consent_ref::text,
       o.payload, coalesce(k.data_from, k.valid_from), k.data_until, u.external_id
  FROM outbox o JOIN consent k ON k.ref = o.consent_ref LEFT JOIN federated_user u ON u.id = k.user_id
 WHERE o.status IN ('pending', 'sent') AND o.next_attempt_at <= now()
   AND o.id IN (SELECT outbox_due_heads(500))
   AND (o.first_at IS NULL OR o.first_at < coalesce(k.data_from, k.valid_from) OR o.last_at >= k.data_until)
 ORDER BY o.id FOR UPDATE OF o SKIP LOCKED
