-- Enrollments: a pending enrollment refused by the inviting proxy: the app is removed (it never had a key).
DELETE FROM app WHERE jid = :jid AND enrollment = 'pending' RETURNING name
