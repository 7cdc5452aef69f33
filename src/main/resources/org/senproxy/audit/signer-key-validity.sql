-- SignerKeys.requireRegistered: when this key may sign this actor's changes, if it is registered.
SELECT valid_from, valid_until FROM signer_key WHERE actor = :actor AND kid = :kid
