-- Consents.revoke: the consent in force ends now; returns its data owner (no row: unknown, or revoked before).
UPDATE consent k SET revoked_at = now(), revoked_by = :revoked_by, revoke_reason = :reason
  FROM federated_user u
 WHERE k.ref = :ref AND k.revoked_at IS NULL AND u.id = k.user_id
RETURNING u.external_id
