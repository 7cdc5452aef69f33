-- CatchUp: one consumer waiting to be caught up whose consent is in force (or that needs none), locked.
SELECT c.id, c.source, a.jid, c.series_prefix, c.rename_from, c.rename_to,
       k.ref::text, k.scope, coalesce(k.data_from, k.valid_from), k.data_until, c.acknowledges, u.external_id
  FROM consumer c JOIN app a ON a.id = c.app_id
  LEFT JOIN consent k ON k.id = c.consent_id AND k.app_id = c.app_id AND k.revoked_at IS NULL
   AND k.valid_from <= now() AND k.valid_until > now()
  LEFT JOIN federated_user u ON u.id = k.user_id
 WHERE c.active AND NOT c.caught_up AND (k.id IS NOT NULL OR (c.consent_id IS NULL AND NOT :consent_required))
 ORDER BY c.id LIMIT 1 FOR UPDATE OF c SKIP LOCKED
