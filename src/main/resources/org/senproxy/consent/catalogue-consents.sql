-- CatalogueOffers: the consents in force (or to come) this proxy holds for an app: which offered series they cover.
SELECT ref::text, scope FROM consent
 WHERE app_id = :app_id AND revoked_at IS NULL AND valid_until > now()
 ORDER BY id
