-- KeyRotation.revoke: a peer's key revoked (by its owner's announcement, or by this proxy's operator): invalid now.
UPDATE app_key k SET revoked_at = now(), revoked_reason = :reason, valid_until = least(coalesce(k.valid_until, now()), now())
  FROM app a
 WHERE a.id = k.app_id AND k.kid = :kid AND (CAST(:app AS text) IS NULL OR a.name = :app) AND k.revoked_at IS NULL
RETURNING a.name
