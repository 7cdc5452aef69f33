-- peers list: every app with how it came (enrollment), and its keys.
SELECT a.name, a.jid, a.enrollment, a.enrolled_at, k.kid, k.jwk, k.valid_until IS NULL OR k.valid_until > now()
  FROM app a LEFT JOIN app_key k ON k.app_id = a.id
 ORDER BY a.name, k.kid
