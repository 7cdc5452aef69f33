-- outbox-dispatch: a written row waits for its ack, unless its recipient never sends one (a Quoalise subscriber):
-- then it is done.
UPDATE outbox SET attempts = attempts + 1, sent_at = now(),
       status = CASE WHEN ack_required THEN 'sent' ELSE 'acked' END,
       acked_at = CASE WHEN ack_required THEN NULL ELSE now() END,
       next_attempt_at = :next_attempt_at, last_error = NULL
 WHERE id = :id AND status IN ('pending', 'sent')
