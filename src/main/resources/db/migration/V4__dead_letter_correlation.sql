-- A dead letter keeps the correlation id of its record batch, so that support can follow a batch from the poll
-- that read it to the place it stopped (null for an inbound message too malformed to carry one).
ALTER TABLE dead_letter ADD COLUMN correlation_id text;
CREATE INDEX dead_letter_correlation ON dead_letter (correlation_id);
CREATE INDEX outbox_correlation ON outbox (correlation_id);
CREATE INDEX inbox_correlation ON inbox (correlation_id);
