-- UserCredentials.rotate: the next batch of rows with credentials, by id, locked so that a concurrent store is not
-- overwritten by an older value.
SELECT ua.id, u.external_id, ua.application, ua.login, ua.credentials
  FROM user_app ua JOIN federated_user u ON u.id = ua.user_id
 WHERE ua.credentials IS NOT NULL AND ua.id > :after
 ORDER BY ua.id LIMIT :batch_size FOR UPDATE OF ua
