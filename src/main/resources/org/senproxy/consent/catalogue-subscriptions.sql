-- CatalogueOffers.of: the subscriptions in force here to an app: which of the series it offers they may receive.
SELECT consent_ref::text, scope FROM subscription WHERE app_id = :app_id AND active ORDER BY id
