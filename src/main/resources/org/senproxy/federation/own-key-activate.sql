-- KeyRotation.advance: the next key signs from now on.
UPDATE own_key SET state = 'active', activated_at = now() WHERE kid = :kid AND state = 'next'
