-- Enrollments: the catalogue the enrollment's answer offers the new peer (version 0; consent.CatalogueOffers tells it
-- of later changes).
INSERT INTO peer_catalogue (app_id, offered, offered_version, offered_at) VALUES (:app_id, :series, 0, now())
ON CONFLICT (app_id) DO UPDATE SET offered = EXCLUDED.offered, offered_version = 0, offered_at = EXCLUDED.offered_at
