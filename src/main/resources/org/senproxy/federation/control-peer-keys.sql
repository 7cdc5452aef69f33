-- ControlMessages.signer: the app at the sender's address with each of its keys (none: a row with null key columns),
-- whether the key is valid now, its revocation, and whether this proxy's enrollment with the app waits for its answer.
SELECT a.id, a.name, k.kid, k.jwk,
       k.valid_from <= now() AND (k.valid_until IS NULL OR k.valid_until > now()) AND k.revoked_at IS NULL,
       k.valid_until, k.revoked_at, k.revoked_reason, a.enrollment = 'pending'
  FROM app a LEFT JOIN app_key k ON k.app_id = a.id
 WHERE a.jid = :jid
