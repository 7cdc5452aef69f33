-- Enrollments: a pending enrollment completed.
UPDATE app SET enrollment = 'enrolled', enrolled_at = now() WHERE id = :id
