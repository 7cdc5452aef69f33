-- A switch's state before a change, its row locked until the change and its audit entry are committed (no row: on).
SELECT enabled FROM switch WHERE kind = :kind AND name = :name FOR UPDATE
