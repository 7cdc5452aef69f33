-- ConsentRequests: the sending app revoked the consent: the subscription under it ends, with the reason.
UPDATE subscription SET active = false, ended_at = now(), end_reason = :reason
 WHERE app_id = :app_id AND consent_ref = :consent_ref AND active
RETURNING scope
