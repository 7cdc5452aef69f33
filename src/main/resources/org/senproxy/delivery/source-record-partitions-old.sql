-- Retention: the day partitions of source_record whose day ended before the horizon of :days (V18), oldest first.
SELECT part FROM source_record_partitions() WHERE hi <= source_record_horizon_us(:days) ORDER BY lo
