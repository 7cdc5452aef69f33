-- Signatures: every key the app at this address ever had, with whether it is valid now (an app that had a key must
-- sign, even if none is), and its revocation (a message signed with a revoked key is refused with the reason).
SELECT k.jwk, k.valid_from <= now() AND (k.valid_until IS NULL OR k.valid_until > now()) AND k.revoked_at IS NULL,
       k.kid, k.revoked_at, k.revoked_reason
  FROM app_key k JOIN app a ON a.id = k.app_id
 WHERE a.jid = :app_jid
