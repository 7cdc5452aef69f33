-- outbox-dispatch: claims due rows (pushing next_attempt_at forward is the lease), at most :window per recipient in
-- flight: a row is in flight from its claim until its ack (or until it is due again: ack timeout, backoff). A peer
-- that falls behind leaves the backlog here, in the outbox, not in its own memory or the XMPP server's. Rows for a peer
-- app an operator suspended (table switch, read here at each claim, so every replica obeys at once) are not claimed:
-- they wait, attempts and all, and are sent when it is resumed. Replicas claiming at the same moment may each fill the
-- window: it is a bound per claim. Rows locked by another replica are skipped, not waited for.
--
-- Cost independent of the backlog (issue 22): the recipients with open rows are found by a skip scan of index
-- outbox_due_by_recipient (one probe per recipient), and each recipient with room left gives only its first rows, in
-- the order of that index: a million rows due for a peer whose window is full are not read (before: every claim
-- filtered them out one by one, 0.7 s on a 1 M backlog). A row is taken only if it may be sent as it is (consent in
-- force, records inside its data period): the checks before the claim (withhold, expire, queued-outside) look at each
-- recipient's first rows only, and a row behind them that fails them waits until they settle it. A head row whose
-- period is still unknown (first_at null) after queued-outside holds no readable SenML: it goes as it is, the receiver
-- refuses it for its content and both sides dead-letter it with the reason (QueuedTrim), as before data periods.
WITH RECURSIVE recipients AS (
  (SELECT recipient_jid FROM outbox WHERE status IN ('pending', 'sent') ORDER BY recipient_jid LIMIT 1)
  UNION ALL
  SELECT (SELECT o.recipient_jid FROM outbox o
           WHERE o.status IN ('pending', 'sent') AND o.recipient_jid > r.recipient_jid
           ORDER BY o.recipient_jid LIMIT 1)
    FROM recipients r WHERE r.recipient_jid IS NOT NULL),
-- per recipient: the window less its rows in flight (claimed, not due again), counted in its index range
room AS (
  SELECT r.recipient_jid, :window - (SELECT count(*) FROM outbox f
                                      WHERE f.recipient_jid = r.recipient_jid AND f.status IN ('pending', 'sent')
                                        AND f.next_attempt_at > now()) AS n
    FROM recipients r
   WHERE r.recipient_jid IS NOT NULL
     AND r.recipient_jid NOT IN (SELECT a.jid FROM switch s JOIN app a ON a.name = s.name
                                  WHERE s.kind = 'peer' AND NOT s.enabled))
UPDATE outbox o SET next_attempt_at = now() + :lease_ms * interval '1 millisecond', claimed_by = :replica FROM (
  SELECT head.id FROM room, LATERAL (
    SELECT o2.id, o2.next_attempt_at FROM outbox o2 LEFT JOIN consent k ON k.ref = o2.consent_ref
     WHERE o2.recipient_jid = room.recipient_jid AND o2.status IN ('pending', 'sent')
       AND o2.next_attempt_at <= now() AND o2.attempts < :max_attempts
       AND CASE WHEN o2.consent_ref IS NULL THEN NOT :consent_required
                ELSE k.id IS NOT NULL AND k.revoked_at IS NULL AND k.valid_until > now()
                     AND (o2.first_at IS NULL
                          OR (o2.first_at >= coalesce(k.data_from, k.valid_from)
                              AND coalesce(o2.last_at < k.data_until, true))) END
     ORDER BY o2.next_attempt_at, o2.id LIMIT least(room.n, :batch_size)
       FOR UPDATE OF o2 SKIP LOCKED) AS head
   WHERE room.n > 0
   ORDER BY head.next_attempt_at, head.id LIMIT :batch_size) due
 WHERE o.id = due.id
RETURNING o.id, o.message_id, o.correlation_id, o.recipient_jid, o.payload, o.record_count, o.attempts,
          o.consent_ref::text, o.transfer::jsonb ->> 'senml_sha256'
