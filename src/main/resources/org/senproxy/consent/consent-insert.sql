-- Consents.grant: the consent, with its access period and its data period.
INSERT INTO consent (ref, user_id, app_id, scope, valid_from, valid_until, data_from, data_until, granted_by)
VALUES (:ref, :user_id, :app_id, :scope, :valid_from, :valid_until, :data_from, :data_until, :granted_by)
RETURNING id
