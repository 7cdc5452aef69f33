-- ConsentSources: the consents in force granted on a request, with the sources already sending under each.
SELECT k.id, k.ref::text, k.app_id, k.user_id, k.scope,
       coalesce(array_agg(c.source) FILTER (WHERE c.source IS NOT NULL), '{}')
  FROM consent k LEFT JOIN consumer c ON c.consent_id = k.id
 WHERE k.request_ref IS NOT NULL AND k.revoked_at IS NULL AND k.valid_until > now()
 GROUP BY k.id
