-- The audit trail's cut and rewrite become detectable (issue 23, item 2).
--
-- Until V13 any session could delete audit entries after SET senproxy.audit_prune = 'on', and move the anchor in
-- config: the oldest entries could go unseen. From here on the trail carries checkpoints (kind audit.checkpoint)
-- signed by the proxy's own key (senproxy.signing.key-file), each naming the entry it covers (seq and hash); the
-- retention routine writes one before it prunes, naming the anchor it will leave and the first entry it keeps, and
-- may only remove what that checkpoint names. `sen-proxy audit verify` checks them (audit.AuditTrail).
--
-- The triggers below refuse what the proxy never does; they are a hurdle, not the protection: the database's owner
-- can drop them. What protects is detection: the proxy's signature on checkpoints, which the database does not hold,
-- and heads kept outside the database (docs/security.md).

-- Prune checkpoints and signer registrations, read by verify before its walk; the former by the trigger at each delete.
CREATE INDEX audit_log_prune_checkpoints ON audit_log (seq)
    WHERE kind = 'audit.checkpoint' AND detail::jsonb ? 'prune_through';
CREATE INDEX audit_log_signer_keys ON audit_log (seq) WHERE kind = 'signer.trusted';

-- The seq up to which the newest prune checkpoint allows deletion (0: none).
CREATE FUNCTION audit_log_prunable() RETURNS bigint LANGUAGE sql STABLE SET search_path FROM CURRENT AS $$
    SELECT coalesce((SELECT (detail::jsonb ->> 'prune_through')::bigint FROM audit_log
                     WHERE kind = 'audit.checkpoint' AND detail::jsonb ? 'prune_through'
                     ORDER BY seq DESC LIMIT 1), 0)
$$;

-- No update ever; a delete only of an entry at or before what the newest prune checkpoint names. The session setting
-- senproxy.audit_prune no longer lets anything through.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    -- the newest prune checkpoint itself always stays: it comes after what it names
    IF TG_OP = 'DELETE' AND OLD.seq <= audit_log_prunable() THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP
        USING HINT = 'entries go only by the audit retention, up to what its signed checkpoint names';
END $$;

CREATE FUNCTION audit_log_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only (TRUNCATE refused)';
END $$;
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_no_truncate();

-- The anchor (config key audit.anchor, the hash the remaining chain starts from) is only ever the one the newest prune
-- checkpoint names.
CREATE FUNCTION audit_anchor_follows_checkpoint() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    named text;
BEGIN
    IF (TG_OP = 'DELETE' AND OLD.key = 'audit.anchor') OR (TG_OP = 'UPDATE' AND OLD.key = 'audit.anchor'
            AND NEW.key <> 'audit.anchor') THEN
        RAISE EXCEPTION 'the audit anchor is not removed';
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.key = 'audit.anchor' THEN
        SELECT detail::jsonb ->> 'anchor' INTO named FROM audit_log
            WHERE kind = 'audit.checkpoint' AND detail::jsonb ? 'prune_through' ORDER BY seq DESC LIMIT 1;
        IF named IS DISTINCT FROM NEW.value THEN
            RAISE EXCEPTION 'the audit anchor is set by the audit retention only (it must be the one its newest'
                ' checkpoint names)';
        END IF;
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER audit_anchor_follows_checkpoint BEFORE INSERT OR UPDATE OR DELETE ON config
    FOR EACH ROW EXECUTE FUNCTION audit_anchor_follows_checkpoint();

-- The public keys that sign authorization changes, per actor (sen-proxy keys trust). A change signed by a key not
-- registered for its actor, or outside the key's validity, breaks the chain in `audit verify`; the commands that sign
-- changes refuse such a key up front. verify reads the registrations from the trail itself (signer.trusted entries,
-- and the list each prune checkpoint carries), not from this table: the table is what the commands look up.
CREATE TABLE signer_key (
    id            bigserial PRIMARY KEY,
    actor         text NOT NULL,
    kid           text NOT NULL,                 -- the key's RFC 7638 thumbprint, as change signatures name it
    jwk           text NOT NULL,                 -- the public JWK, JSON
    valid_from    timestamptz NOT NULL,
    valid_until   timestamptz,
    registered_at timestamptz NOT NULL DEFAULT now(),
    registered_by text NOT NULL,
    UNIQUE (actor, kid),
    CHECK (valid_until IS NULL OR valid_until > valid_from)
);
