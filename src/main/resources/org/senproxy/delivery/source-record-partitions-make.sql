-- Retention: the day partitions of source_record from yesterday (UTC) to :days_ahead days ahead, those missing made
-- (V18, source_record_make_partition: rows of their day waiting in the DEFAULT partition move in); returns how many
-- were made. Records of a day with no partition yet go to the DEFAULT partition meanwhile: no insert fails.
SELECT count(*) FILTER (WHERE source_record_make_partition(d::date))
  FROM generate_series((now() AT TIME ZONE 'UTC')::date - 1, (now() AT TIME ZONE 'UTC')::date + :days_ahead::int,
                       interval '1 day') AS d
