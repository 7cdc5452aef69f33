-- AuditTrail.prune: the newest entry older than :before, where the pruned part ends.
SELECT seq, hash FROM audit_log
 WHERE seq <= (SELECT max(seq) FROM audit_log WHERE at < :before)
 ORDER BY seq DESC LIMIT 1
