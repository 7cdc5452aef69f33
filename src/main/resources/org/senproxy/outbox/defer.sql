-- outbox-ack: the peer deferred the message (its operator suspended this proxy): the row waits again, due after
-- :delay_ms, with the peer's reason, and the attempt it was sent with is given back, so a suspension never makes a
-- dead letter. Returns the consent and the data owner, for the audit entry.
WITH r AS (
  UPDATE outbox SET status = 'pending', attempts = greatest(attempts - 1, 0), last_error = :reason,
         next_attempt_at = now() + :delay_ms * interval '1 millisecond'
   WHERE message_id = :message_id AND recipient_jid = :recipient AND status IN ('pending', 'sent')
  RETURNING consent_ref)
SELECT r.consent_ref::text, u.external_id
  FROM r
  LEFT JOIN consent k ON k.ref = r.consent_ref
  LEFT JOIN federated_user u ON u.id = k.user_id
