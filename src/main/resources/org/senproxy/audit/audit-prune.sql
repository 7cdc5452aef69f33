-- AuditTrail.prune: removes the entries up to the one the prune checkpoint names.
DELETE FROM audit_log WHERE seq <= :seq
