-- QuoaliseService: the requester's consents in force (by its app's address), oldest first, with their data period
-- (from defaults to the access start).
SELECT k.id, k.ref::text, k.scope, k.app_id, k.user_id, u.external_id, coalesce(k.data_from, k.valid_from), k.data_until
  FROM consent k JOIN app a ON a.id = k.app_id JOIN federated_user u ON u.id = k.user_id
 WHERE a.jid = :requester AND k.revoked_at IS NULL AND k.valid_from <= now() AND k.valid_until > now()
 ORDER BY k.id
