-- Consents.revoke: the consent in force ends now; returns its data owner and, when its app is an enrolled peer, the
-- app's address (told over the control channel). No row: unknown, or revoked before.
UPDATE consent k SET revoked_at = now(), revoked_by = :revoked_by, revoke_reason = :reason
  FROM federated_user u, app a
 WHERE k.ref = :ref AND k.revoked_at IS NULL AND u.id = k.user_id AND a.id = k.app_id
RETURNING u.external_id, CASE WHEN a.enrollment = 'enrolled' THEN a.jid END
