-- OwnKeys: the configured key (senproxy.signing.key-file) recorded as the active one, when no key is active yet.
INSERT INTO own_key (kid, jwk, state, created_by, activated_at)
SELECT :kid, :jwk, 'active', 'proxy', now()
 WHERE NOT EXISTS (SELECT 1 FROM own_key WHERE state = 'active')
ON CONFLICT DO NOTHING
