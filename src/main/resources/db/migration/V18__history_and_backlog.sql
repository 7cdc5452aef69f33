-- source_record partitioned by day of record time (issue 22), so that retention drops a day's keys whole (DROP TABLE of
-- its partition: a catalogue change, no dead rows, no vacuum) instead of deleting 300 million rows one by one
-- (1,000 homes, one record per 10 s, 35 days).
--
-- Why the record time (time_us) is the partition key: a unique key of a partitioned table must contain its partition
-- key, and the key that deduplicates is (name, time_us, source). Partitioning by taken_at would make it
-- (name, time_us, source, taken_at), which no longer deduplicates a record taken again on another day. For live
-- sources the record time and the moment its key is taken are the same day (or the next), so the day partitions of
-- time_us are also filled in taken_at order (the BRIN index on taken_at stays tight).
--
-- Retention rule (org.senproxy.delivery.Retention): a key is forgotten once its record's day (UTC) ended more than
-- senproxy.retention.keys-days ago AND it was taken more than keys-days ago. The second half keeps what the rule was
-- before (a key is kept keys-days after it was taken, whatever its record's time: the deduplication of re-reads and
-- CatchUp's held records need it; a backfill of last year's records is kept keys-days from its reading). The first half
-- is what lets a whole day go at once: a partition whose day ended before the horizon is dropped when none of its rows
-- was taken since the cut-off (checked through the BRIN index, under the table's lock), else its old rows are deleted
-- one by one. Records outside the day partitions (older than the oldest day kept, or further ahead than the days made)
-- land in the DEFAULT partition, so no insert ever fails for want of a partition; they are deleted row by row with the
-- same rule. Plain PostgreSQL: no pg_partman (Debian packages it for PostgreSQL 15 only, the tests' and benchmark's
-- server is 17, and it is one more extension to install on a utility's server) nor TimescaleDB (not packaged at all).

ALTER TABLE source_record RENAME TO source_record_unpartitioned;
ALTER TABLE source_record_unpartitioned RENAME CONSTRAINT source_record_pkey TO source_record_unpartitioned_pkey;
ALTER INDEX source_record_taken RENAME TO source_record_unpartitioned_taken;

CREATE TABLE source_record (
    source   text NOT NULL,                       -- the connector's route id
    name     text NOT NULL,                       -- the record's resolved SenML name
    time_us  bigint NOT NULL,                     -- its time, integer microseconds since the epoch: the partition key
    taken_at timestamptz NOT NULL DEFAULT now(),  -- when outbox-append took its key
    record   text,                                -- its resolved SenML (one record, JSON), for get_history and CatchUp
    PRIMARY KEY (name, time_us, source)
) PARTITION BY RANGE (time_us);
-- taken_at grows with insertion inside each day's partition: a BRIN index (a few bytes per 128 pages) serves retention's
-- "taken since the cut-off" and SourceFreshness's "taken since".
CREATE INDEX source_record_taken ON source_record USING brin (taken_at);
CREATE TABLE source_record_default PARTITION OF source_record DEFAULT;

-- The microseconds since the epoch at which a day (UTC) starts: the bounds of its partition.
CREATE FUNCTION source_record_day_us(day date) RETURNS bigint
    LANGUAGE sql IMMUTABLE
    RETURN (extract(epoch FROM day::timestamp) * 1000000)::bigint;

-- The retention's horizon: the start (UTC) of the day keys_days before now. Keys of records before it and taken
-- before now() - keys_days are forgotten.
CREATE FUNCTION source_record_horizon_us(keys_days int) RETURNS bigint
    LANGUAGE sql STABLE
    RETURN source_record_day_us(((now() - make_interval(days => keys_days)) AT TIME ZONE 'UTC')::date);

-- Makes the partition of one day (UTC) if it is missing, and returns whether it made it. Rows of that day already in
-- the DEFAULT partition (records that came before their day's partition) move into it, so that ATTACH finds none
-- left there. The new table is attached (SHARE UPDATE EXCLUSIVE on source_record: inserts go on) rather than created
-- as a partition (ACCESS EXCLUSIVE); the DEFAULT partition is locked while it is checked. One replica at a time.
CREATE FUNCTION source_record_make_partition(day date) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path FROM CURRENT
AS $$
DECLARE
    nsp text := (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE c.oid = 'source_record'::regclass);
    part text := 'source_record_p' || to_char(day, 'YYYYMMDD');
    lo bigint := source_record_day_us(day);
    hi bigint := source_record_day_us(day + 1);
BEGIN
    IF to_regclass(format('%I.%I', nsp, part)) IS NOT NULL THEN
        RETURN false;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('senproxy source_record partitions'));
    IF to_regclass(format('%I.%I', nsp, part)) IS NOT NULL THEN
        RETURN false;
    END IF;
    LOCK TABLE source_record IN SHARE UPDATE EXCLUSIVE MODE;
    LOCK TABLE source_record_default IN ACCESS EXCLUSIVE MODE;
    EXECUTE format('CREATE TABLE %I.%I (LIKE %I.source_record INCLUDING DEFAULTS)', nsp, part, nsp);
    -- the partition's bound as a constraint: ATTACH then need not scan the new table
    EXECUTE format('ALTER TABLE %I.%I ADD CONSTRAINT %I CHECK (time_us >= %s AND time_us < %s)',
                   nsp, part, part || '_bound', lo, hi);
    EXECUTE format('WITH moved AS (DELETE FROM %I.source_record_default WHERE time_us >= %s AND time_us < %s'
                   ' RETURNING source, name, time_us, taken_at, record)'
                   ' INSERT INTO %I.%I (source, name, time_us, taken_at, record) SELECT * FROM moved',
                   nsp, lo, hi, nsp, part);
    EXECUTE format('ALTER TABLE %I.source_record ATTACH PARTITION %I.%I FOR VALUES FROM (%s) TO (%s)',
                   nsp, nsp, part, lo, hi);
    EXECUTE format('ALTER TABLE %I.%I DROP CONSTRAINT %I', nsp, part, part || '_bound');
    RETURN true;
END
$$;

-- The day partitions of source_record, with their bounds (read from the catalogue, not from their names).
CREATE FUNCTION source_record_partitions()
    RETURNS TABLE (part text, lo bigint, hi bigint)
    LANGUAGE sql STABLE
    SET search_path FROM CURRENT
AS $$
    SELECT c.relname::text, b[1]::bigint, b[2]::bigint
      FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid,
           regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''?(-?\d+)''?\) TO \(''?(-?\d+)''?\)') AS b
     WHERE i.inhparent = 'source_record'::regclass AND b IS NOT NULL
     ORDER BY 2
$$;

-- Drops one day partition whose day ended before the horizon of keys_days, if none of its rows was taken since
-- now() - keys_days; returns the rows it held (from 100,000 rows on, PostgreSQL's estimate, which autovacuum's ANALYZE
-- keeps within about 10% after a partition's inserts: counting exactly would read the whole partition, a day of keys,
-- for a number in a metric; smaller ones are counted), or -1 when it is kept (a row in
-- it is still inside its retention, or it is not one to drop). source_record is locked (ACCESS EXCLUSIVE, as the DROP
-- needs anyway) before the check, so no insert is between its check and the drop; waiting for that lock is bounded by
-- lock_ms (inserts queue behind a waiting lock): past it the statement fails and the next run tries again.
CREATE FUNCTION source_record_drop_partition(part_name text, keys_days int, lock_ms int) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path FROM CURRENT
AS $$
DECLARE
    nsp text := (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE c.oid = 'source_record'::regclass);
    rel regclass;
    held bigint;
    late boolean;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM source_record_partitions() p
                    WHERE p.part = part_name AND p.hi <= source_record_horizon_us(keys_days)) THEN
        RETURN -1;
    END IF;
    rel := format('%I.%I', nsp, part_name)::regclass;
    held := (SELECT CASE WHEN c.reltuples >= 100000 THEN c.reltuples::bigint END FROM pg_class c WHERE c.oid = rel);
    IF held IS NULL THEN -- small, or never analysed
        EXECUTE format('SELECT count(*) FROM %s', rel) INTO held;
    END IF;
    PERFORM set_config('lock_timeout', lock_ms || 'ms', true);
    LOCK TABLE source_record IN ACCESS EXCLUSIVE MODE;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE taken_at >= now() - make_interval(days => $1))', rel)
        INTO late USING keys_days;
    IF late THEN
        RETURN -1;
    END IF;
    EXECUTE format('DROP TABLE %s', rel);
    RETURN held;
END
$$;

-- The existing keys move into the partitioned table: day partitions for the days of the last 60 that hold records (and
-- for yesterday to a week ahead), the DEFAULT partition for the rest.
SELECT source_record_make_partition(d)
  FROM (SELECT DISTINCT date '1970-01-01' + (time_us / 86400000000)::int AS d FROM source_record_unpartitioned
         UNION
        SELECT generate_series((now() AT TIME ZONE 'UTC')::date - 1, (now() AT TIME ZONE 'UTC')::date + 7,
                               interval '1 day')::date) AS days
 WHERE d BETWEEN (now() AT TIME ZONE 'UTC')::date - 60 AND (now() AT TIME ZONE 'UTC')::date + 7
 ORDER BY d;
INSERT INTO source_record (source, name, time_us, taken_at, record)
SELECT source, name, time_us, taken_at, record FROM source_record_unpartitioned;
DROP TABLE source_record_unpartitioned;
ANALYZE source_record;

-- The outbox's due rows per recipient, in the claim's order (issue 22). outbox-dispatch's claim and the checks before
-- it (withhold.sql, expire.sql, queued-outside.sql) read due rows through outbox_due (next_attempt_at) alone: with a
-- peer away for a day (a million rows due for it), every claim walked that whole backlog (EXPLAIN: 0.2 to 3.6 s per
-- statement, docs/benchmarks.md "Cost with history and backlog"), since the rows of a recipient whose window is full are
-- filtered out one by one. With the recipient first, each recipient's head is an index range of its own: the claim
-- reads, per recipient (a skip scan: one probe per distinct recipient), only the rows it may take.
CREATE INDEX outbox_due_by_recipient ON outbox (recipient_jid, next_attempt_at, id) WHERE status IN ('pending', 'sent');
-- It replaces outbox_due: with both, the planner, not knowing which recipient a claim's lateral reads (one generic
-- estimate for all), walked outbox_due's backlog for the one recipient with room; nothing else reads outbox by
-- next_attempt_at alone (failed, defer, written and replay write it by id). Still one index to maintain per write.
DROP INDEX outbox_due;

-- The ids of the first per_recipient due rows of each recipient (status pending or sent, next_attempt_at passed), in
-- the claim's order: what the checks before a claim look at, whatever the backlog behind them.
CREATE FUNCTION outbox_due_heads(per_recipient int) RETURNS SETOF bigint
    LANGUAGE sql STABLE
    SET search_path FROM CURRENT
AS $$
    WITH RECURSIVE recipients AS (
        (SELECT recipient_jid FROM outbox WHERE status IN ('pending', 'sent')
          ORDER BY recipient_jid LIMIT 1)
        UNION ALL
        SELECT (SELECT o.recipient_jid FROM outbox o
                 WHERE o.status IN ('pending', 'sent') AND o.recipient_jid > r.recipient_jid
                 ORDER BY o.recipient_jid LIMIT 1)
          FROM recipients r WHERE r.recipient_jid IS NOT NULL)
    SELECT head.id FROM recipients r,
           LATERAL (SELECT o.id FROM outbox o
                     WHERE o.recipient_jid = r.recipient_jid AND o.status IN ('pending', 'sent')
                       AND o.next_attempt_at <= now()
                     ORDER BY o.next_attempt_at, o.id LIMIT per_recipient) AS head
     WHERE r.recipient_jid IS NOT NULL
$$;
