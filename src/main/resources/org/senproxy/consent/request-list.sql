-- ConsentRequests.list: the requests, pending first, newest first.
SELECT r.ref::text, r.direction, a.name, a.jid, r.user_ref, r.scope, r.valid_from, r.valid_until, r.data_from,
       r.data_until, r.purpose, r.status, r.consent_ref::text, r.reason, r.created_at, r.answered_at
  FROM consent_request r JOIN app a ON a.id = r.app_id
 WHERE r.status = 'pending' OR CAST(:all AS boolean)
 ORDER BY r.status <> 'pending', r.created_at DESC
