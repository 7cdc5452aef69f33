-- ConsentSources: one consent in force locked while sources are added to it (replicas reconcile at the same time).
SELECT id FROM consent WHERE id = :consent_id AND revoked_at IS NULL FOR UPDATE
