-- AuditTrail.checkpoint: the kind of the newest entry (a checkpoint needs no other checkpoint after it).
SELECT kind FROM audit_log ORDER BY seq DESC LIMIT 1
