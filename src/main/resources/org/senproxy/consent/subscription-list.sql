-- Subscriptions.list: the subscriptions, newest first (:limit null: all of them).
SELECT a.name, a.jid, s.consent_ref::text, s.scope, s.active, s.created_at, s.ended_at, s.end_reason
  FROM subscription s JOIN app a ON a.id = s.app_id
 ORDER BY s.id DESC
 LIMIT :limit
