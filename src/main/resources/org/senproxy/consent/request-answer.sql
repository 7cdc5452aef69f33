-- ConsentRequests: a request answered: approved (with the consent granted on it) or refused (with the reason).
UPDATE consent_request SET status = :status, consent_ref = :consent_ref, reason = :reason, answered_by = :actor,
       answered_at = now()
 WHERE ref = :ref AND direction = :direction
