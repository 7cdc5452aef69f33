-- AuditTrail: the registrations of signer keys, oldest first.
SELECT detail FROM audit_log WHERE kind = 'signer.trusted' ORDER BY seq
