-- Enrollments: the peer that enrolled with an invitation, registered.
INSERT INTO app (name, jid, enrollment, enrolled_at, enrolled_via) VALUES (:name, :jid, 'enrolled', now(), :via)
RETURNING id
