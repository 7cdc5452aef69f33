-- Turns one switch on or off; returns the state it had before (null: no row, so on), locked until the audit entry of
-- the change is written in the same transaction.
WITH before AS (SELECT enabled FROM switch WHERE kind = :kind AND name = :name FOR UPDATE)
INSERT INTO switch (kind, name, enabled, reason, changed_by, changed_at)
VALUES (:kind, :name, :enabled, :reason, :changed_by, now())
ON CONFLICT (kind, name) DO UPDATE
   SET enabled = excluded.enabled, reason = excluded.reason, changed_by = excluded.changed_by,
       changed_at = excluded.changed_at
RETURNING (SELECT enabled FROM before)
