-- outbox-ack: the peer refused the message for good (malformed, unauthorized): the row becomes a dead letter.
WITH r AS (
  UPDATE outbox SET status = 'dead', last_error = :reason
   WHERE message_id = :message_id AND recipient_jid = :recipient AND status IN ('pending', 'sent')
  RETURNING id, message_id, recipient_jid, attempts, payload, correlation_id, consent_ref,
            transfer, CASE WHEN transfer IS NULL THEN payload END AS untold),
dead AS (
  INSERT INTO dead_letter (origin, row_id, message_id, route_id, peer_jid, reason, attempts, payload, correlation_id)
  SELECT 'outbox', id, message_id::text, 'outbox-ack', recipient_jid, :reason, attempts, payload, correlation_id
    FROM r)
SELECT r.consent_ref::text, u.external_id, r.transfer, r.untold
  FROM r
  LEFT JOIN consent k ON k.ref = r.consent_ref
  LEFT JOIN federated_user u ON u.id = k.user_id
