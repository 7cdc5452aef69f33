-- CatalogueOffers.push: the enrolled peers whose last offer differs from the catalogue now (:offered, sorted), or
-- that were never offered one while the catalogue is not empty.
SELECT a.id, a.jid, a.name
  FROM app a LEFT JOIN peer_catalogue p ON p.app_id = a.id
 WHERE a.enrollment = 'enrolled'
   AND CASE WHEN p.offered IS NULL THEN cardinality(:offered) > 0 ELSE p.offered <> :offered END
 ORDER BY a.id
