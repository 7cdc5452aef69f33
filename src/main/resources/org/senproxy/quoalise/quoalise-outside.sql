-- QuoaliseService.history: how many records of the series in [:from_us, :to_us) the consent's data period
-- [:lowest_us, :highest_us) leaves out.
SELECT count(*) FROM source_record
 WHERE name = :name AND time_us >= :from_us AND time_us < :to_us AND (time_us < :lowest_us OR time_us >= :highest_us)
