-- Consents.grant: the consent, with its access period and its data period (request_ref: the consent request it
-- answers, if any).
INSERT INTO consent (ref, user_id, app_id, scope, valid_from, valid_until, data_from, data_until, granted_by,
                     request_ref)
VALUES (:ref, :user_id, :app_id, :scope, :valid_from, :valid_until, :data_from, :data_until, :granted_by,
        :request_ref)
RETURNING id
