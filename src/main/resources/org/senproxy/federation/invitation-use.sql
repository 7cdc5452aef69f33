-- Enrollments: the invitation used, by whom.
UPDATE invitation SET used_at = now(), used_by_jid = :jid WHERE id = :id
