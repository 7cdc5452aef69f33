-- Retention: source record keys taken more than :days days ago, :batch_size at a time.
DELETE FROM source_record WHERE (source, name, time_us) IN (
  SELECT source, name, time_us FROM source_record
   WHERE taken_at < now() - make_interval(days => :days)
   LIMIT :batch_size FOR UPDATE SKIP LOCKED)
