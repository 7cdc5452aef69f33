-- Bounded (issue 22): only the first 500 due rows of each recipient are looked at (V18, outbox_due_heads), not a
-- backlog of millions; claim.sql takes none of the rows behind them that would fail this check, so they are
-- settled when they come to the head.
-- outbox-dispatch, before its claim: rows out of attempts become dead letters, in one statement. Returns what
-- withhold.sql returns: message id, recipient, consent, reason, data owner, description.
WITH r AS (
  UPDATE outbox SET status = 'dead' WHERE id IN (
    SELECT id FROM outbox
     WHERE status IN ('pending', 'sent') AND next_attempt_at <= now() AND attempts >= :max_attempts
       AND id IN (SELECT outbox_due_heads(500))
       FOR UPDATE SKIP LOCKED)
  RETURNING id, message_id, recipient_jid, status, attempts, last_error, payload, sent_at,
            correlation_id, consent_ref, transfer, CASE WHEN transfer IS NULL THEN payload END AS untold),
dead AS (
  INSERT INTO dead_letter (origin, row_id, message_id, route_id, peer_jid, reason, attempts, payload, correlation_id)
  SELECT 'outbox', id, message_id::text, 'outbox-dispatch', recipient_jid,
         CASE WHEN r.sent_at IS NULL THEN 'not sent after ' || r.attempts
              || ' attempts; last error: ' || coalesce(r.last_error, 'none')
         ELSE 'no acknowledgement from ' || r.recipient_jid || ' after ' || r.attempts || ' attempts' END,
         attempts, payload, correlation_id
    FROM r)
SELECT r.message_id::text, r.recipient_jid, r.consent_ref::text,
       CASE WHEN r.sent_at IS NULL THEN 'not sent after ' || r.attempts
            || ' attempts; last error: ' || coalesce(r.last_error, 'none')
       ELSE 'no acknowledgement from ' || r.recipient_jid || ' after ' || r.attempts || ' attempts' END,
       u.external_id, r.transfer, r.untold
  FROM r
  LEFT JOIN consent k ON k.ref = r.consent_ref
  LEFT JOIN federated_user u ON u.id = k.user_id
