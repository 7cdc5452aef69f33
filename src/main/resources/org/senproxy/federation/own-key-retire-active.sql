-- KeyRotation.advance: the key that signed until now retires.
UPDATE own_key SET state = 'retired', retired_at = now() WHERE state = 'active' RETURNING kid
