-- Enrollment of peer proxies over the federation (issue 20, steps 1 and 2): an operator invites (peers invite), the
-- other organisation's operator joins (peers join); the proxies exchange keys over XMPP, each registering the other as
-- an app with its key. Control messages travel in control_message, with the outbox's and inbox's rules: retried until
-- acknowledged, a dead letter with its reason after the last attempt, received once per (peer, message id).

-- An invitation (on the inviting proxy). The secret is not stored: proof_key is HMAC-SHA256(secret,
-- 'senproxy-invite:v1:' || id), by which the proof of an enrollment request is checked. Works once, until expires_at.
CREATE TABLE invitation (
    id          text PRIMARY KEY,
    name        text NOT NULL,                   -- the app name the joining proxy gets here
    proof_key   text NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    used_by_jid text,                            -- the JID that enrolled with it (the first one, the only one)
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- How an app came to be: NULL registered by hand (apps add); 'pending' this proxy joined and waits for the answer;
-- 'enrolled' keys exchanged over the federation (enrolled_via: the invitation's id).
ALTER TABLE app
    ADD COLUMN enrollment      text CHECK (enrollment IN ('pending', 'enrolled')),
    ADD COLUMN enrolled_at     timestamptz,
    ADD COLUMN enrolled_via    text,
    ADD COLUMN expected_key    text;             -- on the joining side: the thumbprint the invitation announced

-- Control messages, both ways. direction 'out': pending -> sent -> acked, or dead (reason) after max attempts or a
-- refusal; direction 'in': accepted or rejected (reason), once per (peer, message id): a message received again is
-- answered as it was the first time.
CREATE TABLE control_message (
    id              bigserial PRIMARY KEY,
    direction       text NOT NULL CHECK (direction IN ('out', 'in')),
    peer_jid        text NOT NULL,
    message_id      text NOT NULL,
    type            text NOT NULL,
    payload         text NOT NULL,               -- out: the body to sign at sending (JSON); in: as received
    status          text NOT NULL CHECK (status IN ('pending', 'sent', 'acked', 'dead', 'accepted', 'rejected')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    reason          text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (direction, peer_jid, message_id)
);
CREATE INDEX control_message_due ON control_message (next_attempt_at) WHERE direction = 'out' AND status IN ('pending', 'sent');
CREATE INDEX control_message_recent_in ON control_message (peer_jid, created_at) WHERE direction = 'in';
