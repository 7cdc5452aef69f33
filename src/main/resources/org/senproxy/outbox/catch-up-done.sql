-- CatchUp: from now on outbox-append includes the consumer.
UPDATE consumer SET caught_up = true WHERE id = :consumer_id
