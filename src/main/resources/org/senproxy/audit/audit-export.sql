-- AuditTrail.export: the entries about one data owner (or one consent, or all when both are null), oldest first.
SELECT seq, at, kind, actor, user_ref, consent_ref::text, detail, signature, hash
  FROM audit_log
 WHERE (:user_ref::text IS NULL OR user_ref = :user_ref) AND (:consent_ref::uuid IS NULL OR consent_ref = :consent_ref::uuid)
 ORDER BY seq
