-- Enrollments: an app of this name or at this address.
SELECT name, jid FROM app WHERE name = :name OR jid = :jid
