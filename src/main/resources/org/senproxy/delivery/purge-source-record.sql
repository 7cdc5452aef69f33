-- Retention, after the day partitions were dropped (source-record-partition-drop.sql): the keys left that are outside
-- their retention, :batch_size at a time. Their record's day ended before the horizon of :days AND they were taken more
-- than :days days ago (V18). Only the DEFAULT partition (records outside the day partitions) and a day partition kept
-- for a row taken late are read: partitions from the horizon on are pruned, and taken_at is BRIN-indexed.
DELETE FROM source_record WHERE time_us < source_record_horizon_us(:days) AND (name, time_us, source) IN (
  SELECT name, time_us, source FROM source_record
   WHERE time_us < source_record_horizon_us(:days) AND taken_at < now() - make_interval(days => :days)
   LIMIT :batch_size FOR UPDATE SKIP LOCKED)
