-- SourceKeys: takes a poll's record keys, holding the source's shared advisory lock from then until the append
-- commits: a consumer's CatchUp takes the exclusive one (catch-up-lock.sql), so it never runs while an append of the
-- source is between its keys and its commit. In the same statement, not one round trip more. Keys are inserted in key
-- order, so two appends with keys in common lock them in the same order.
INSERT INTO source_record (source, name, time_us, record)
SELECT :source, k.name, k.time_us, k.record
  FROM unnest(:names::text[], :times_us::bigint[], :records::text[]) AS k(name, time_us, record),
       (SELECT pg_advisory_xact_lock_shared(:lock_space, hashtext(:source))) AS held
 ORDER BY k.name, k.time_us
    ON CONFLICT DO NOTHING
RETURNING name, time_us
