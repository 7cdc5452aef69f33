-- Enrollments: an invitation, locked while an enrollment request is checked against it.
SELECT name, proof_key, expires_at, expires_at <= now(), used_at, used_by_jid FROM invitation WHERE id = :id FOR UPDATE
