-- Peers: whether an app is registered at this address.
SELECT 1 FROM app WHERE jid = :jid
