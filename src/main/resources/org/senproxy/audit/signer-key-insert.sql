-- SignerKeys.trust: a key registered for an actor.
INSERT INTO signer_key (actor, kid, jwk, valid_from, valid_until, registered_by)
VALUES (:actor, :kid, :jwk, :valid_from, :valid_until, :registered_by)
