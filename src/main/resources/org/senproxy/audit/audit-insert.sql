-- AuditTrail: one entry of the chain (a JDBC batch of them, which pgjdbc sends as multi-row INSERTs).
INSERT INTO audit_log (seq, at, kind, actor, user_ref, consent_ref, detail, signature, prev_hash, hash)
VALUES (:seq, :at, :kind, :actor, :user_ref, :consent_ref, :detail, :signature, :prev_hash, :hash)
