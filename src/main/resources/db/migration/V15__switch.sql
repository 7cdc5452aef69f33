-- The kill-switch (issue 21, item 1): an operator turns a connector off (a source stops polling, a sink receives
-- nothing from the inbox) or suspends a peer app (nothing is sent to it, its messages are deferred), without a restart.
-- The switch is data, so every replica obeys it within senproxy.switch.refresh-ms, and it survives restarts.
-- No row means on. A peer's name is its app's name (table app); a connector's is its route id (its file's stem).
-- Who changed it and why is also in the audit trail (switch.connector.disabled, switch.peer.suspended...).
CREATE TABLE switch (
    kind       text NOT NULL CHECK (kind IN ('connector', 'peer')),
    name       text NOT NULL,
    enabled    boolean NOT NULL,
    reason     text,
    changed_by text NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, name)
);
