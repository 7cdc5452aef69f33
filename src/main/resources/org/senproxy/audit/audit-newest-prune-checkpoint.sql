-- AuditTrail: the newest checkpoint the audit retention wrote (the one naming what it pruned).
SELECT seq, detail, signature FROM audit_log
 WHERE kind = 'audit.checkpoint' AND detail::jsonb ? 'prune_through'
 ORDER BY seq DESC LIMIT 1
