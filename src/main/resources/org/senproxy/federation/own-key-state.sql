-- KeyRotation: the state of one of this proxy's keys, if it is one.
SELECT state FROM own_key WHERE kid = :kid
