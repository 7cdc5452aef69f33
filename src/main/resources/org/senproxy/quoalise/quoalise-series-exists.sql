-- QuoaliseService.history: whether the series was ever stored.
SELECT EXISTS (SELECT 1 FROM source_record WHERE name = :name)
