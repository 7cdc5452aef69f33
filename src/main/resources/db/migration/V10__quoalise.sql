-- Quoalise (issue 6): series history for get_history, and subscribers that do not acknowledge.

-- Each source record taken by outbox-append keeps its resolved SenML (one record, JSON): the stored series that
-- get_history answers from, for as long as the keys are kept (senproxy.retention.keys-days).
ALTER TABLE source_record ADD COLUMN record text;
CREATE INDEX source_record_series ON source_record (name, time_us);

-- A consumer made by a Quoalise client's subscribe command: the client is not a sen-proxy and sends no
-- acknowledgement, so its messages are done once written to the XMPP stream (as Quoalise itself does).
ALTER TABLE consumer ADD COLUMN acknowledges boolean NOT NULL DEFAULT true;
ALTER TABLE outbox ADD COLUMN ack_required boolean NOT NULL DEFAULT true;
