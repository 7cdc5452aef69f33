-- Enrollments: the catalogue the inviting proxy's answer offers (version 0; consent.CatalogueOffers keeps the changes).
INSERT INTO peer_catalogue (app_id, received, received_version, received_at) VALUES (:app_id, :series, 0, now())
ON CONFLICT (app_id) DO UPDATE SET received = EXCLUDED.received, received_version = 0,
       received_covered = NULL, received_at = EXCLUDED.received_at
