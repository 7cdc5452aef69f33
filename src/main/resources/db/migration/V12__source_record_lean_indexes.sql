-- source_record takes one row per record a connector polls (outbox-append, org.senproxy.outbox.SourceKeys): the
-- largest per-record cost of the sending side's database (docs/benchmarks.md, "Where PostgreSQL's time goes"). It had
-- three B-tree indexes: the key (source, name, time_us), the series (name, time_us) for Quoalise's get_history, and
-- taken_at for retention and source freshness. Now two, one of them a BRIN:
-- - the key in the order (name, time_us, source) is also the series index: get_history reads one name over a time
--   range, ordered by time_us then source, and the key's uniqueness is the same whatever its column order;
-- - taken_at grows with insertion (the keys are taken at now()), which is what a BRIN index summarises: a few bytes
--   per range of pages instead of an entry per row, for the range scans of retention ("taken before") and of
--   SourceFreshness ("taken since").
ALTER TABLE source_record DROP CONSTRAINT source_record_pkey;
ALTER TABLE source_record ADD CONSTRAINT source_record_pkey PRIMARY KEY (name, time_us, source);
DROP INDEX source_record_series;
DROP INDEX source_record_taken;
CREATE INDEX source_record_taken ON source_record USING brin (taken_at);
