-- Bounded (issue 22): only the first 500 due rows of each recipient are looked at (V18, outbox_due_heads), not a
-- backlog of millions; claim.sql takes none of the rows behind them that would fail this check, so they are
-- settled when they come to the head.
-- outbox-dispatch, before its claim: due rows whose consent was revoked or ran out (or that have none, when one is
-- required) are withheld. Returns, for the audit entries: message id, recipient, consent, reason, data owner, and the
-- row's description (the transfer column written with it, or, for a row from before that column, its payload).
WITH r AS (
  UPDATE outbox o SET status = 'revoked', last_error = w.reason FROM (
    SELECT o2.id, CASE
      WHEN o2.consent_ref IS NULL THEN 'written under no consent, and senproxy.consent.required is on'
      WHEN k.id IS NULL THEN 'consent ' || o2.consent_ref || ' is not known here'
      WHEN k.revoked_at IS NOT NULL THEN 'consent ' || k.ref || ' revoked: '
        || coalesce(k.revoke_reason, 'no reason given')
      ELSE 'consent ' || k.ref || ' expired at ' || k.valid_until END AS reason
      FROM outbox o2 LEFT JOIN consent k ON k.ref = o2.consent_ref
     WHERE o2.status IN ('pending', 'sent') AND o2.next_attempt_at <= now()
       AND o2.id IN (SELECT outbox_due_heads(500))
       AND ((o2.consent_ref IS NULL AND :consent_required) OR (o2.consent_ref IS NOT NULL
        AND (k.id IS NULL OR k.revoked_at IS NOT NULL OR k.valid_until <= now())))
       FOR UPDATE OF o2 SKIP LOCKED) w
   WHERE o.id = w.id
  RETURNING o.message_id, o.recipient_jid, o.consent_ref, o.last_error,
            transfer, CASE WHEN transfer IS NULL THEN payload END AS untold)
SELECT r.message_id::text, r.recipient_jid, r.consent_ref::text, r.last_error, u.external_id, r.transfer, r.untold
  FROM r
  LEFT JOIN consent k ON k.ref = r.consent_ref
  LEFT JOIN federated_user u ON u.id = k.user_id
