-- CatchUp: the records a source read while the consumer could not take them, within its consent's data period.
SELECT record FROM source_record
 WHERE source = :source AND time_us >= :from_us AND time_us < :until_us AND record IS NOT NULL
 ORDER BY time_us, name
