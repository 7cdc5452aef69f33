-- What each enrolled peer was told this proxy offers, and what each peer said it offers (issue 20, step 5). One row
-- per app; either half may be empty (a peer that only receives offers nothing). 'offered': the series identifiers
-- this proxy last sent it (catalogue-change, after the enrollment's answer), with the version of that change;
-- 'received': what it last sent here, the version it gave (an older one arriving late is not applied) and the series
-- it said this proxy's consents cover. The catalogue comes from the connector files, read at start-up: a connector
-- that declares a new series (a new meter) changes it at the next start, and the peers are told then.
CREATE TABLE peer_catalogue (
    app_id           bigint PRIMARY KEY REFERENCES app (id) ON DELETE CASCADE,
    offered          text[],
    offered_version  integer NOT NULL DEFAULT 0,
    offered_at       timestamptz,
    received         text[],
    received_covered text[],
    received_version integer NOT NULL DEFAULT 0,
    received_at      timestamptz
);
