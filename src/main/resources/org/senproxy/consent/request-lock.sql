-- ConsentRequests: a pending request of this direction (and from or to this app, when named), locked until answered.
SELECT r.ref, a.name, a.jid, r.user_ref, r.scope, r.valid_from, r.valid_until, r.data_from, r.data_until, r.app_id
  FROM consent_request r JOIN app a ON a.id = r.app_id
 WHERE r.ref = :ref AND r.direction = :direction AND r.status = 'pending'
   AND (CAST(:app_id AS bigint) IS NULL OR r.app_id = :app_id)
   FOR UPDATE OF r
