-- Subscriptions: the scope of the active subscription under this consent at the app that sent the message.
SELECT s.scope FROM subscription s JOIN app a ON a.id = s.app_id
 WHERE a.jid = :app_jid AND s.consent_ref = :consent_ref AND s.active
