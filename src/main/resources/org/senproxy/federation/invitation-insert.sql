-- Enrollments.invite: a new invitation, valid for :seconds from now.
INSERT INTO invitation (id, name, proof_key, expires_at, created_by)
VALUES (:id, :name, :proof_key, now() + make_interval(secs => :seconds), :actor)
RETURNING expires_at
