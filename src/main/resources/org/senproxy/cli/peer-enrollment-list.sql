-- peers list: every app with how it came (enrollment), its keys, and for a pending one its latest request.
SELECT a.name, a.jid, a.enrollment, a.enrolled_at, k.kid, k.jwk, k.valid_until IS NULL OR k.valid_until > now(),
       CASE WHEN a.enrollment = 'pending' THEN
         (SELECT m.status || ', ' || m.attempts || ' attempt(s)' || coalesce(': ' || m.reason, '')
            FROM control_message m
           WHERE m.direction = 'out' AND m.peer_jid = a.jid AND m.type = 'enroll-request'
           ORDER BY m.id DESC LIMIT 1)
       END
  FROM app a LEFT JOIN app_key k ON k.app_id = a.id
 ORDER BY a.name, k.kid
