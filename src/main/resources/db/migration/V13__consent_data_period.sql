-- A consent bounds the data, not only the access (issue 17).
-- A consent has two periods, stated and audited separately:
-- - access (valid_from, valid_until): when the receiving app may receive or ask;
-- - data (data_from, data_until): which measurement times it covers. A record is sent under the consent only if its
--   own time t is in [data_from, data_until). NULL is the default: data_from NULL = the access start (valid_from),
--   data_until NULL = open, up to the access end (valid_until). Existing consents get that default: from this version
--   on, they cover data measured from their access start only (README, "Consents").
ALTER TABLE consent ADD COLUMN data_from timestamptz;
ALTER TABLE consent ADD COLUMN data_until timestamptz;
ALTER TABLE consent ADD CONSTRAINT consent_data_period_not_empty
    CHECK (coalesce(data_until, valid_until) > coalesce(data_from, valid_from));

-- The measurement times an outbox row's records span, so that outbox-dispatch can tell, without reading payloads,
-- which queued rows a narrowed data period no longer covers whole (org.senproxy.outbox.DataPeriods). NULL for a row
-- written before this version: its payload is read once, at its first claim, and the span written.
ALTER TABLE outbox ADD COLUMN first_at timestamptz;
ALTER TABLE outbox ADD COLUMN last_at timestamptz;

-- Records a source reads while no consumer may take them are not lost: they are in source_record (kept
-- senproxy.retention.keys-days). A consumer that is not yet caught up takes nothing from outbox-append; outbox-dispatch
-- catches it up first, from source_record, with what its scope and data period cover, then marks it caught up
-- (org.senproxy.outbox.CatchUp). `consents grant --source` makes its consumers that way. Existing consumers have been
-- taking records all along, and a consumer written by hand (or a Quoalise subscription: new data only) takes records
-- from now on: caught up, the default.
ALTER TABLE consumer ADD COLUMN caught_up boolean NOT NULL DEFAULT true;
CREATE INDEX consumer_catching_up ON consumer (id) WHERE active AND NOT caught_up;
