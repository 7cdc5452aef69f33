-- The control plane, continued (issue 20, steps 3 and 4): consent requests over the federation, and this proxy's own
-- keys rotated and revoked with announcements to its enrolled peers.

-- What a control message is about (a key id for key announcements, a consent request's ref for consent messages):
-- a rotation switches signing once every announcement of its key was acknowledged.
ALTER TABLE control_message ADD COLUMN about text;
CREATE INDEX control_message_about ON control_message (type, about) WHERE direction = 'out';

-- This proxy's own signing keys, public halves only (the private ones stay in files: senproxy.signing.key-file and
-- the keys beside it). 'next': announced to the peers, not signing yet (until every peer acknowledged it, or
-- switch_at); 'active': the one key that signs; 'retired': replaced (peers accept it until their overlap ends);
-- 'revoked': announced as compromised, refused everywhere.
CREATE TABLE own_key (
    kid          text PRIMARY KEY,
    jwk          text NOT NULL,
    state        text NOT NULL CHECK (state IN ('next', 'active', 'retired', 'revoked')),
    switch_at    timestamptz,
    overlap_s    integer NOT NULL DEFAULT 86400,
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    activated_at timestamptz,
    retired_at   timestamptz,
    reason       text
);
CREATE UNIQUE INDEX own_key_one_active ON own_key ((true)) WHERE state = 'active';
CREATE UNIQUE INDEX own_key_one_next ON own_key ((true)) WHERE state = 'next';

-- A peer's key announced as compromised (keys revoke there, or here): refused from then on, with the reason.
ALTER TABLE app_key
    ADD COLUMN revoked_at     timestamptz,
    ADD COLUMN revoked_reason text;

-- Consent requests: 'out' this proxy asked an app for a consent (consents request), 'in' an app asked this proxy
-- (consents requests lists them; approve or refuse answers). One ref on both sides.
CREATE TABLE consent_request (
    ref          uuid PRIMARY KEY,
    direction    text NOT NULL CHECK (direction IN ('out', 'in')),
    app_id       bigint NOT NULL REFERENCES app (id),
    user_ref     text NOT NULL,                  -- the data owner's external id
    scope        text NOT NULL,
    valid_from   timestamptz NOT NULL,
    valid_until  timestamptz NOT NULL,
    data_from    timestamptz,
    data_until   timestamptz,
    purpose      text NOT NULL,
    status       text NOT NULL CHECK (status IN ('pending', 'approved', 'refused')),
    consent_ref  uuid,                           -- approved: the consent granted on it
    reason       text,                           -- refused: why
    requested_by text NOT NULL,
    answered_by  text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    answered_at  timestamptz
);
CREATE INDEX consent_request_pending ON consent_request (created_at) WHERE status = 'pending';

-- A consent granted on a request: its consumers follow the catalogue (each local connector whose declared series the
-- scope covers sends under it, also one that starts declaring such a series later).
ALTER TABLE consent ADD COLUMN request_ref uuid;

-- Why a subscription ended (the sending side revoked its consent, with the reason it gave).
ALTER TABLE subscription ADD COLUMN end_reason text;
