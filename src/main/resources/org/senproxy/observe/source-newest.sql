-- SourceFreshness: the newest key each source took after :since (BRIN index source_record_taken).
SELECT source, max(taken_at) FROM source_record WHERE taken_at > :since GROUP BY source
