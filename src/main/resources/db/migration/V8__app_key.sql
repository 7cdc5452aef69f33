-- The public keys of the federated applications (JWK, ES256), by which their messages' signatures are checked.
-- Several keys per app with validity dates: a key is rotated by registering the new one, then ending the old one.
CREATE TABLE app_key (
    id          bigserial PRIMARY KEY,
    app_id      bigint NOT NULL REFERENCES app (id),
    kid         text NOT NULL,
    jwk         text NOT NULL,                   -- the public JWK, JSON
    valid_from  timestamptz NOT NULL DEFAULT now(),
    valid_until timestamptz,
    UNIQUE (app_id, kid)
);
