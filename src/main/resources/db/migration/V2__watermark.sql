-- Where each incremental source connector stopped reading (a timestamp, an id...), so that the next poll
-- asks only for what is new. The value advances in the transaction that writes the poll's records to the
-- outbox: a crash before that commit re-reads the same window, never skips one.
CREATE TABLE watermark (
    source     text PRIMARY KEY,              -- the connector's route id
    value      text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
