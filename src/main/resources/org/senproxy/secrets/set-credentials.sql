-- UserCredentials: a row's encrypted secret (a JDBC batch of them).
UPDATE user_app SET credentials = :credentials WHERE id = :id
