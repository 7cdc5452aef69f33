-- Consents.narrow: the consent in force, locked until the narrowing commits: its data period (from defaults to the
-- access start), its access end and its data owner.
SELECT coalesce(k.data_from, k.valid_from), k.data_until, k.valid_until, u.external_id
  FROM consent k JOIN federated_user u ON u.id = k.user_id
 WHERE k.ref = :ref AND k.revoked_at IS NULL
   FOR UPDATE OF k
