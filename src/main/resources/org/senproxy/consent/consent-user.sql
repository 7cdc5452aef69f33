-- Consents.grant: the data owner's row, created if new; its id either way.
INSERT INTO federated_user (external_id) VALUES (:external_id)
ON CONFLICT (external_id) DO UPDATE SET external_id = excluded.external_id
RETURNING id
