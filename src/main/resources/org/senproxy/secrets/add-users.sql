-- UserCredentials.store: the federated users that do not exist yet, in one statement.
INSERT INTO federated_user (external_id) SELECT unnest(:users::text[])
    ON CONFLICT (external_id) DO NOTHING
