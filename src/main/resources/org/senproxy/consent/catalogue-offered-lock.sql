-- CatalogueOffers.push: what the peer was told last, locked while this replica tells it the new offer.
SELECT offered, offered_version FROM peer_catalogue WHERE app_id = :app_id FOR UPDATE
