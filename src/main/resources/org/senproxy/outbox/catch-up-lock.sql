-- CatchUp: the source's exclusive advisory lock, until the transaction ends (appends hold the shared one: take-keys.sql).
SELECT pg_advisory_xact_lock(:lock_space, hashtext(:source))
