-- Consents.revoke: the consent's messages not yet sent or acknowledged are withheld for good, with the reason.
UPDATE outbox SET status = 'revoked', last_error = :reason
 WHERE consent_ref = :ref AND status IN ('pending', 'sent')
