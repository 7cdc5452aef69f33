-- SignerKeys.trust: the registration of this key for this actor, if any, locked until the new one commits.
SELECT valid_from, valid_until FROM signer_key WHERE actor = :actor AND kid = :kid FOR UPDATE
