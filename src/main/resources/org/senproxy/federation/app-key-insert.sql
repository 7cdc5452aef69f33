-- AppKeys.register: a new key id for the app.
INSERT INTO app_key (app_id, kid, jwk, valid_until) VALUES (:app_id, :kid, :jwk, :valid_until)
