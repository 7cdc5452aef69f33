-- QueueMetrics: the rows of each queue by status (dead letters by origin), for the gauges; acknowledged outbox rows
-- and delivered inbox rows are not counted.
SELECT 'outbox', status, count(*) FROM outbox WHERE status IN ('pending', 'sent', 'dead', 'revoked') GROUP BY status
UNION ALL
SELECT 'inbox', status, count(*) FROM inbox WHERE status IN ('pending', 'dead') GROUP BY status
UNION ALL
SELECT 'dead_letter', origin, count(*) FROM dead_letter GROUP BY origin
