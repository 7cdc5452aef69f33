-- AppKeys.register: a key id's material replaced, or its expiry brought forward; valid from now at the latest.
UPDATE app_key SET jwk = :jwk, valid_until = :valid_until, valid_from = least(valid_from, now())
 WHERE app_id = :app_id AND kid = :kid
