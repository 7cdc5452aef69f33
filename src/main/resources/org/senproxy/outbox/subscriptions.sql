-- outbox-append: the active consumers of a source, with the consent each sends under when it is in force now, its
-- data period, and whether the consumer is caught up (CatchUp).
SELECT c.id, a.jid, c.series_prefix, c.rename_from, c.rename_to,
       c.consent_id, k.ref::text, k.scope, c.acknowledges, coalesce(k.data_from, k.valid_from), k.data_until,
       c.caught_up
  FROM consumer c JOIN app a ON a.id = c.app_id
  LEFT JOIN consent k ON k.id = c.consent_id AND k.app_id = c.app_id AND k.revoked_at IS NULL
   AND k.valid_from <= now() AND k.valid_until > now()
 WHERE c.source = :source AND c.active
 ORDER BY c.id
