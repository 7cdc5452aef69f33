-- Enrollments: the enrollment this proxy waits for from an address.
SELECT id, name, expected_key, enrolled_via FROM app WHERE jid = :jid AND enrollment = 'pending' FOR UPDATE
