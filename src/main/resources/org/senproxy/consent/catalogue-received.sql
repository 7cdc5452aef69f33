-- CatalogueOffers.handle: a peer's offer received; a change older than the one held is not applied (no row returned).
INSERT INTO peer_catalogue (app_id, received, received_covered, received_version, received_at)
VALUES (:app_id, :received, :covered, :version, now())
ON CONFLICT (app_id) DO UPDATE
   SET received = EXCLUDED.received, received_covered = EXCLUDED.received_covered,
       received_version = EXCLUDED.received_version, received_at = EXCLUDED.received_at
 WHERE peer_catalogue.received_version < EXCLUDED.received_version OR peer_catalogue.received IS NULL
RETURNING app_id
