-- Subscriptions.end: the active subscription under a consent at an app (by name) ends now; no row: there is none.
UPDATE subscription SET active = false, ended_at = now()
 WHERE active AND consent_ref = :consent_ref AND app_id = (SELECT id FROM app WHERE name = :app)
