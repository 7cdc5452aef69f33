-- ConsentRequests: a consent request, asked here (out) or received (in).
INSERT INTO consent_request (ref, direction, app_id, user_ref, scope, valid_from, valid_until, data_from, data_until,
                             purpose, status, requested_by)
VALUES (:ref, :direction, :app_id, :user_ref, :scope, :valid_from, :valid_until, :data_from, :data_until, :purpose,
        'pending', :requested_by)
ON CONFLICT (ref) DO NOTHING
