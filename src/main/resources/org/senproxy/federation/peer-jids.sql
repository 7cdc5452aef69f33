-- Peers: the addresses of every registered app, to which each replica announces itself (PeerResources).
SELECT jid FROM app ORDER BY jid
