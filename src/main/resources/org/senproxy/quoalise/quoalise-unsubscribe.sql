-- QuoaliseService.unsubscribe: the requester's pushes of the series end; returns the consent and data owner of each.
UPDATE consumer c SET active = false
  FROM app a, consent k, federated_user u
 WHERE c.active AND NOT c.acknowledges AND c.series_prefix = :name
   AND a.id = c.app_id AND a.jid = :requester AND k.id = c.consent_id AND u.id = k.user_id
RETURNING k.ref::text, u.external_id
