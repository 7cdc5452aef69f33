-- ConsentRequests: the subscription under a consent granted on this proxy's request (or the one there was, active
-- again).
INSERT INTO subscription (app_id, consent_ref, scope) VALUES (:app_id, :consent_ref, :scope)
ON CONFLICT (app_id, consent_ref) DO UPDATE SET scope = excluded.scope, active = true, ended_at = NULL,
       end_reason = NULL
