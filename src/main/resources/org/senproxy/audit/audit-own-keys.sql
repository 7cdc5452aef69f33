-- AuditTrail.verify: the public halves of the proxy's own keys that key rotations recorded (own_key), which signed
-- checkpoints while they were active. A revoked one stays: its checkpoints from before the revocation are evidence.
SELECT jwk FROM own_key ORDER BY created_at
