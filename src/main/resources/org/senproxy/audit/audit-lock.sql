-- AuditTrail: appends are serialized by this transaction-scoped advisory lock, held until the caller's transaction
-- ends, so that replicas of one proxy share one chain.
SELECT pg_advisory_xact_lock(:lock)
