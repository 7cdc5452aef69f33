-- What the audit trail says of an outbox message when its outcome is known (acknowledged, rejected, failed, withheld):
-- its series, period, record count and the digest its signature binds (audit.Transfers), as JSON. outbox-append
-- writes it from the records it already holds, so settling an acknowledgement no longer reads the payload back and
-- parses it again (10-11% of the sender's CPU under load, docs/benchmarks.md). Rows written before this migration
-- have none: they are described from their payload, as before.
ALTER TABLE outbox ADD COLUMN transfer text;
