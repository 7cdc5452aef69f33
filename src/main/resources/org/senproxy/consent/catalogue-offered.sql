-- CatalogueOffers.push: the offer sent (queued in the same transaction).
UPDATE peer_catalogue SET offered = :offered, offered_version = :version, offered_at = now() WHERE app_id = :app_id
