-- AuditTrail: the hash the oldest entry kept chains to, left by the audit retention (none: the genesis hash).
SELECT value FROM config WHERE key = 'audit.anchor'
