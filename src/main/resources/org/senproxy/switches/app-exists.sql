-- Whether a peer app of that name is registered (apps add).
SELECT 1 FROM app WHERE name = :name
