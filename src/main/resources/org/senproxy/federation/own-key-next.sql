-- KeyRotation.rotate: the next key, announced; it signs once every peer acknowledged it, or at switch_at.
INSERT INTO own_key (kid, jwk, state, switch_at, overlap_s, created_by)
VALUES (:kid, :jwk, 'next', now() + make_interval(secs => :grace_s), :overlap_s, :actor)
RETURNING switch_at
