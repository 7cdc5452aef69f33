-- KeyRotation.revoke: one of this proxy's keys revoked (announced to the peers in the same transaction).
UPDATE own_key SET state = 'revoked', retired_at = coalesce(retired_at, now()), reason = :reason WHERE kid = :kid
