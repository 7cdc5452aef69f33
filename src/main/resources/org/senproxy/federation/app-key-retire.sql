-- KeyRotation: a peer's key replaced by an announced one stays valid until the overlap ends (never longer than it was).
UPDATE app_key SET valid_until = least(coalesce(valid_until, 'infinity'::timestamptz), :until)
 WHERE app_id = :app_id AND kid = :kid AND revoked_at IS NULL
