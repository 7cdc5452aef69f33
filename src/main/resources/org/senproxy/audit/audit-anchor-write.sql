-- AuditTrail.prune: the hash the oldest entry kept chains to.
INSERT INTO config (key, value) VALUES ('audit.anchor', :anchor)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now()
