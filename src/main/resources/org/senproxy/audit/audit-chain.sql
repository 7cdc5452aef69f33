-- AuditTrail.verify: the whole chain, oldest first (read in pages).
SELECT seq, at, kind, actor, user_ref, consent_ref::text, detail, signature, prev_hash, hash
  FROM audit_log
 ORDER BY seq
