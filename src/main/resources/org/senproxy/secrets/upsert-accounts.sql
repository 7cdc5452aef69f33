-- UserCredentials.store: each account's row is created or gets the new login, in one statement.
WITH input AS (
  SELECT * FROM unnest(:users::text[], :applications::text[], :logins::text[]) AS i (external_id, application, login)),
upserted AS (
  INSERT INTO user_app (user_id, application, login)
  SELECT u.id, i.application, i.login FROM input i JOIN federated_user u USING (external_id)
      ON CONFLICT (user_id, application) DO UPDATE SET login = excluded.login
  RETURNING id, user_id, application)
SELECT up.id, u.external_id, up.application FROM upserted up JOIN federated_user u ON u.id = up.user_id
