-- UserCredentials: one user's credentials in one application.
SELECT ua.id, u.external_id, ua.application, ua.login, ua.credentials
  FROM user_app ua JOIN federated_user u ON u.id = ua.user_id
 WHERE ua.credentials IS NOT NULL AND u.external_id = :user AND ua.application = :application
