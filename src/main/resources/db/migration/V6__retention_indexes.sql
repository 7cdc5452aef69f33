-- What the retention (routes/retention.camel.yaml, org.senproxy.delivery.Retention) looks for, oldest first, in
-- batches: finished rows by the time they finished. Partial indexes, so they hold only the rows retention may delete.
-- (source_record is found by its taken_at index, V5.)
CREATE INDEX outbox_acked ON outbox (acked_at) WHERE status = 'acked';
CREATE INDEX inbox_delivered ON inbox (delivered_at) WHERE status = 'delivered';
CREATE INDEX dead_letter_replayed ON dead_letter (replayed_at) WHERE replayed_at IS NOT NULL;
