-- The natural keys of the source records already in the outbox: a record's identity is its source connector, its
-- series name and its time. The same record polled twice by overlapping windows, re-read after a crash, or delivered
-- by MQTT to two replicas is let in once: outbox-append inserts the poll's keys (ON CONFLICT DO NOTHING) in the
-- transaction that writes its outbox rows, and keeps only the records whose key was new. Concurrent appends of one
-- key serialize on the primary key: the second waits for the first to commit, then sees the conflict.
-- Keys are purged after senproxy.retention.keys-days (routes/retention.camel.yaml), which must stay longer than any
-- source's re-read window.
CREATE TABLE source_record (
    source   text NOT NULL,                       -- the connector's route id
    name     text NOT NULL,                       -- the record's resolved SenML name, as the source named it
    time_us  bigint NOT NULL,                     -- its time, integer microseconds since the epoch (the precision
                                                  -- the proxy keeps, Measurement.instant())
    taken_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, name, time_us)
);
CREATE INDEX source_record_taken ON source_record (taken_at);
