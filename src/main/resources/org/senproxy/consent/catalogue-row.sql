-- CatalogueOffers: the peer's catalogue row, made if missing, so that it can be locked.
INSERT INTO peer_catalogue (app_id) VALUES (:app_id) ON CONFLICT (app_id) DO NOTHING
