-- CatalogueOffers.of: an app by name, with both halves of the catalogue exchanged with it.
SELECT a.id, a.jid, p.offered, coalesce(p.offered_version, 0), p.offered_at,
       p.received, p.received_covered, coalesce(p.received_version, 0), p.received_at
  FROM app a LEFT JOIN peer_catalogue p ON p.app_id = a.id
 WHERE a.name = :app
