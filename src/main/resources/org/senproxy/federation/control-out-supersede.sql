-- Enrollments.join: the requests of a replaced pending enrollment are not sent any more.
UPDATE control_message SET status = 'dead', reason = 'replaced by a new peers join'
 WHERE direction = 'out' AND peer_jid = :peer AND type = 'enroll-request' AND status IN ('pending', 'sent')
