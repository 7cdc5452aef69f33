-- AuditTrail.prune: the first entry kept.
SELECT min(seq) FROM audit_log WHERE seq > :seq
