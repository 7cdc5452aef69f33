-- A replay: the dead letter, locked until the replay commits.
SELECT origin, row_id, replayed_at FROM dead_letter WHERE id = :id FOR UPDATE
