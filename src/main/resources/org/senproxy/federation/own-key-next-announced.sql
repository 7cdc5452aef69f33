-- KeyRotation.announceNextTo: the next key of a rotation under way, and until when the key before it stays accepted
-- (its switch at the latest plus the overlap), for a peer that enrolled meanwhile.
SELECT kid, jwk, switch_at + make_interval(secs => overlap_s) FROM own_key WHERE state = 'next'
