-- Consents.list: every consent, newest first, with the sources that send under it.
SELECT k.ref::text, u.external_id, a.name, a.jid, k.scope, k.valid_from, k.valid_until,
       k.granted_by, k.revoked_at, k.revoked_by, k.revoke_reason,
       array(SELECT source FROM consumer WHERE consent_id = k.id AND active ORDER BY source),
       coalesce(k.data_from, k.valid_from), k.data_until
  FROM consent k JOIN federated_user u ON u.id = k.user_id JOIN app a ON a.id = k.app_id
 ORDER BY k.id DESC
