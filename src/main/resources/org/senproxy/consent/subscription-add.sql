-- Subscriptions.add: a subscription under a consent held at an app (by name), or the one there was, active again
-- with this scope; no row: no such app.
INSERT INTO subscription (app_id, consent_ref, scope)
SELECT id, :consent_ref, :scope FROM app WHERE name = :app
ON CONFLICT (app_id, consent_ref) DO UPDATE SET scope = excluded.scope, active = true, ended_at = NULL
