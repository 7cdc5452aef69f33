-- KeyRotation: a peer's new key, as it announced it (valid from now, no end until its next rotation).
INSERT INTO app_key (app_id, kid, jwk, valid_until) VALUES (:app_id, :kid, :jwk, NULL)
