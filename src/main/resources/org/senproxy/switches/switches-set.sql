-- Turns one switch on or off (switches-state.sql has locked its row, if any, in this transaction).
INSERT INTO switch (kind, name, enabled, reason, changed_by, changed_at)
VALUES (:kind, :name, :enabled, :reason, :changed_by, now())
ON CONFLICT (kind, name) DO UPDATE
   SET enabled = excluded.enabled, reason = excluded.reason, changed_by = excluded.changed_by,
       changed_at = excluded.changed_at
