-- OwnKeys: the key id that signs for this proxy now (since its last rotation), if any key is recorded.
SELECT kid FROM own_key WHERE state = 'active'
