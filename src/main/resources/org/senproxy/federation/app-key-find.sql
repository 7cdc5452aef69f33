-- KeyRotation: the key an app has under this key id, if any.
SELECT jwk FROM app_key WHERE app_id = :app_id AND kid = :kid
