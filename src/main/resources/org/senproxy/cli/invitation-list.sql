-- peers list: the invitations, newest first.
SELECT id, name, expires_at, used_at, used_by_jid, expires_at <= now() FROM invitation ORDER BY created_at DESC
