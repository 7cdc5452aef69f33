-- AuditTrail: the oldest entry kept.
SELECT min(seq) FROM audit_log
