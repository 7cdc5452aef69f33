-- SignerKeys.trust: a registered key's end brought forward (retired).
UPDATE signer_key SET valid_until = :valid_until WHERE actor = :actor AND kid = :kid
