-- QuoaliseService.history: a series' stored records in [:from_us, :to_us), oldest first, at most :max_rows.
SELECT record FROM source_record
 WHERE name = :name AND time_us >= :from_us AND time_us < :to_us AND record IS NOT NULL
 ORDER BY time_us, source
 LIMIT :max_rows
