-- Consents.grant: the app the consent is granted to, by name (it must be registered).
SELECT id, jid FROM app WHERE name = :app
