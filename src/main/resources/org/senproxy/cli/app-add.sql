-- apps add: an app registered by name, or its address changed.
INSERT INTO app (name, jid) VALUES (:name, :jid) ON CONFLICT (name) DO UPDATE SET jid = excluded.jid
