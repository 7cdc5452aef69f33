-- KeyRotation.advance: the next key, locked (one replica switches), whether its grace period is over, and how many of
-- its announcements wait for an acknowledgement.
SELECT k.kid, k.switch_at <= now(),
       (SELECT count(*) FROM control_message m
         WHERE m.direction = 'out' AND m.type = 'key-announce' AND m.about = k.kid AND m.status IN ('pending', 'sent'))
  FROM own_key k
 WHERE k.state = 'next'
   FOR UPDATE SKIP LOCKED
