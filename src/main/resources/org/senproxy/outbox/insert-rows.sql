-- OutboxRows: one outbox row (a JDBC batch of them, which pgjdbc sends as multi-row INSERTs).
INSERT INTO outbox (message_id, correlation_id, consumer_id, recipient_jid,
                    payload, record_count, consent_ref, ack_required, transfer, first_at, last_at)
VALUES (:message_id, :correlation_id, :consumer_id, :recipient_jid,
        :payload, :record_count, :consent_ref, :ack_required, :transfer, :first_at, :last_at)
