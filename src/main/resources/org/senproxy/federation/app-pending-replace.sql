-- Enrollments.join: joining again replaces a pending enrollment with the same address (its request never answered).
DELETE FROM app WHERE jid = :jid AND enrollment = 'pending' RETURNING name
