-- Signatures: every key the app at this address ever had, with whether it is valid now (an app that had a key must
-- sign, even if none is).
SELECT k.jwk, k.valid_from <= now() AND (k.valid_until IS NULL OR k.valid_until > now())
  FROM app_key k JOIN app a ON a.id = k.app_id
 WHERE a.jid = :app_jid
