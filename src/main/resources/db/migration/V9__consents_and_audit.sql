-- Consent-gated exchange and a tamper-evident audit trail (issue 5).

-- A data owner's consent: the federated user grants one application access to a scope of series for a period.
-- Its ref is shared with the receiving proxy: every message sent under it names it, and the receiver only accepts
-- messages whose consent it holds a subscription for.
CREATE TABLE consent (
    id            bigserial PRIMARY KEY,
    ref           uuid NOT NULL UNIQUE,
    user_id       bigint NOT NULL REFERENCES federated_user (id),
    app_id        bigint NOT NULL REFERENCES app (id),
    scope         text NOT NULL,                 -- series names: patterns with *, comma separated (consent.Scope)
    valid_from    timestamptz NOT NULL DEFAULT now(),
    valid_until   timestamptz NOT NULL,
    granted_by    text NOT NULL,
    revoked_at    timestamptz,
    revoked_by    text,
    revoke_reason text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (valid_until > valid_from)
);

-- A consumer sends under one consent; without a valid one it sends nothing (unless senproxy.consent.required=false).
ALTER TABLE consumer ADD COLUMN consent_id bigint REFERENCES consent (id);

-- The consent a message was written under; 'revoked': withheld because that consent was revoked or ran out.
ALTER TABLE outbox ADD COLUMN consent_ref uuid;
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
    CHECK (status IN ('pending', 'sent', 'acked', 'dead', 'revoked'));
CREATE INDEX outbox_open_by_consent ON outbox (consent_ref) WHERE status IN ('pending', 'sent');
-- withheld rows are final: the retention deletes them as it does acknowledged ones
CREATE INDEX outbox_revoked ON outbox (created_at) WHERE status = 'revoked';

-- Receiving side: the subscriptions this proxy holds at the applications that send to it. A message is accepted only
-- under a consent ref held here, from the app that holds it, for series in its scope.
CREATE TABLE subscription (
    id          bigserial PRIMARY KEY,
    app_id      bigint NOT NULL REFERENCES app (id),
    consent_ref uuid NOT NULL,
    scope       text NOT NULL,
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    ended_at    timestamptz,
    UNIQUE (app_id, consent_ref)
);

-- The audit trail: append-only and hash-chained (audit.AuditTrail). Each row's hash covers the previous row's hash
-- and the row's own content, so changing or removing a row breaks the chain at that row.
CREATE TABLE audit_log (
    seq         bigserial PRIMARY KEY,
    at          timestamptz NOT NULL,
    kind        text NOT NULL,
    actor       text NOT NULL,
    user_ref    text,                            -- the data owner (federated_user.external_id), for access requests
    consent_ref uuid,
    detail      text NOT NULL,                   -- JSON
    signature   text,                            -- compact JWS by the actor, over the detail (authorization changes)
    prev_hash   text NOT NULL,
    hash        text NOT NULL
);
CREATE INDEX audit_log_by_user ON audit_log (user_ref, seq);
CREATE INDEX audit_log_by_at ON audit_log (at);

-- Append-only: no update ever; deletes only by the retention job, which sets senproxy.audit_prune for its transaction
-- and records where the remaining chain starts (config key audit.anchor).
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('senproxy.audit_prune', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP;
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
