-- AppKeys.register: the key the app has under this key id, if any, locked until the registration commits.
SELECT jwk, valid_until FROM app_key WHERE app_id = :app_id AND kid = :kid FOR UPDATE
