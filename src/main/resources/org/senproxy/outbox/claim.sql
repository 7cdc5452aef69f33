-- outbox-dispatch: claims due rows (pushing next_attempt_at forward is the lease), at most :window per recipient in
-- flight: a row is in flight from its claim until its ack (or until it is due again: ack timeout, backoff). A peer
-- that falls behind leaves the backlog here, in the outbox, not in its own memory or the XMPP server's. The first
-- :first_due (4 x batch) due rows of recipients with room left are ranked per recipient, in a subquery since a query
-- with a window function cannot lock rows; a recipient whose window is full is left out before that, so its backlog
-- cannot hide the other recipients' rows. Replicas claiming at the same moment may each fill the window: it is a bound
-- per claim. Rows locked by another replica are skipped, not waited for. Rows for a peer app an operator suspended
-- (table switch, read here at each claim, so every replica obeys at once) are not claimed: they wait, attempts and
-- all, and are sent when it is resumed.
WITH flying AS (
  SELECT recipient_jid, count(*) AS n FROM outbox
   WHERE status IN ('pending', 'sent') AND next_attempt_at > now() GROUP BY recipient_jid)
UPDATE outbox o SET next_attempt_at = now() + :lease_ms * interval '1 millisecond', claimed_by = :replica FROM (
  SELECT id FROM outbox WHERE id IN (
    SELECT d.id FROM (
      SELECT id, recipient_jid, row_number() OVER (PARTITION BY recipient_jid ORDER BY next_attempt_at, id) rn
        FROM (SELECT id, recipient_jid, next_attempt_at FROM outbox WHERE status IN ('pending', 'sent')
                 AND next_attempt_at <= now() AND attempts < :max_attempts
                 AND recipient_jid NOT IN (SELECT recipient_jid FROM flying WHERE n >= :window)
                 AND recipient_jid NOT IN (SELECT a.jid FROM switch s JOIN app a ON a.name = s.name
                                            WHERE s.kind = 'peer' AND NOT s.enabled)
               ORDER BY next_attempt_at, id LIMIT :first_due) first_due) d
      LEFT JOIN flying ON flying.recipient_jid = d.recipient_jid
     WHERE d.rn <= :window - coalesce(flying.n, 0))
     AND status IN ('pending', 'sent') AND next_attempt_at <= now()
   ORDER BY next_attempt_at, id LIMIT :batch_size FOR UPDATE SKIP LOCKED) due
 WHERE o.id = due.id
RETURNING o.id, o.message_id, o.correlation_id, o.recipient_jid, o.payload, o.record_count, o.attempts,
          o.consent_ref::text, o.transfer::jsonb ->> 'senml_sha256'
