-- Retention: drops one old day partition of source_record whole if none of its rows was taken in the last :days days
-- (V18, source_record_drop_partition); returns the rows dropped, or -1 when it is kept. Waits at most :lock_ms for the
-- table's lock (inserts queue behind it meanwhile), then fails with lock_not_available (55P03).
SELECT source_record_drop_partition(:part, :days, :lock_ms)
