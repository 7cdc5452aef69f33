-- Enrollments: the enrollment requests received from an address within the last :seconds (the rate limit).
SELECT count(*) FROM control_message
 WHERE direction = 'in' AND peer_jid = :peer AND type = 'enroll-request'
   AND created_at > now() - make_interval(secs => :seconds)
