-- QuoaliseService.subscribe: the source that yielded the series last.
SELECT source FROM source_record WHERE name = :name ORDER BY time_us DESC LIMIT 1
