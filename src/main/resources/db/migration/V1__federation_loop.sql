-- sen-proxy schema, version 1: the federation loop.
-- Flyway owns this schema; never edit a released migration, add V2__... instead.

-- Key/value settings that belong to the data rather than to the deployment.
CREATE TABLE config (
    key        text PRIMARY KEY,
    value      text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- A federated application: a peer proxy reachable at an XMPP address.
CREATE TABLE app (
    id         bigserial PRIMARY KEY,
    name       text NOT NULL UNIQUE,
    jid        text NOT NULL UNIQUE,          -- bare JID, e.g. proxy-b@example.org
    public_key text,                          -- JWK of the app's signing key (trust issue)
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A data owner (a household, a building manager...).
CREATE TABLE federated_user (
    id          bigserial PRIMARY KEY,
    external_id text NOT NULL UNIQUE,
    display_name text,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- A user's account in one local application (credentials are encrypted by the trust issue).
CREATE TABLE user_app (
    id          bigserial PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES federated_user (id),
    application text NOT NULL,                -- local application, e.g. the connector name
    login       text,
    credentials bytea,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, application)
);

-- A subscription: which series of which local source go to which app, with an optional id mapping.
CREATE TABLE consumer (
    id            bigserial PRIMARY KEY,
    source        text NOT NULL,              -- connector route id, e.g. ecodevices-source
    series_prefix text NOT NULL DEFAULT '',   -- records whose name starts with it ('' = all)
    app_id        bigint NOT NULL REFERENCES app (id),
    user_id       bigint REFERENCES federated_user (id),
    rename_from   text,                       -- id mapping: replace this name prefix ...
    rename_to     text,                       -- ... by this one before sending
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((rename_from IS NULL) = (rename_to IS NULL))
);
CREATE INDEX consumer_by_source ON consumer (source) WHERE active;

-- Sending side. A row is one message (a SenML pack) for one consumer.
--   pending -> sent (written to the XMPP stream, waiting for the peer's ack) -> acked
--   any     -> dead (out of attempts, or rejected by the peer; see dead_letter)
-- next_attempt_at is both the retry schedule and the lease: claiming a row pushes it into the
-- future, so a replica that dies mid-batch simply lets the lease run out.
CREATE TABLE outbox (
    id              bigserial PRIMARY KEY,
    message_id      uuid NOT NULL UNIQUE,
    correlation_id  text NOT NULL,
    consumer_id     bigint NOT NULL REFERENCES consumer (id),
    recipient_jid   text NOT NULL,
    payload         text NOT NULL,            -- resolved SenML JSON
    record_count    integer NOT NULL,
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sent', 'acked', 'dead')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    claimed_by      text,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    acked_at        timestamptz
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status IN ('pending', 'sent');

-- Receiving side. One row per (sender, message id): a resent message is stored once.
CREATE TABLE inbox (
    id              bigserial PRIMARY KEY,
    sender_jid      text NOT NULL,
    message_id      text NOT NULL,
    correlation_id  text NOT NULL,
    format_version  integer NOT NULL,
    payload         text NOT NULL,            -- resolved SenML JSON
    record_count    integer NOT NULL,
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    claimed_by      text,
    last_error      text,
    received_at     timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    UNIQUE (sender_jid, message_id)
);
CREATE INDEX inbox_due ON inbox (next_attempt_at) WHERE status = 'pending';

-- Whatever could not be sent or delivered, with its reason. Outbox and inbox rows that end here
-- have status 'dead' and are referenced; a malformed inbound message has no row and keeps its raw text.
CREATE TABLE dead_letter (
    id          bigserial PRIMARY KEY,
    origin      text NOT NULL CHECK (origin IN ('outbox', 'inbox', 'inbound')),
    row_id      bigint,
    message_id  text,
    route_id    text NOT NULL,
    peer_jid    text,                         -- the recipient (outbox) or the sender (inbox, inbound)
    reason      text NOT NULL,
    attempts    integer NOT NULL DEFAULT 0,
    payload     text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    replayed_at timestamptz
);
CREATE INDEX dead_letter_open ON dead_letter (created_at) WHERE replayed_at IS NULL;
