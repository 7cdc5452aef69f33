-- Consents.grant and ConsentSources: one consumer per source, sending under the consent (one batch); not caught up
-- yet, so outbox-dispatch first sends what the source read before.
INSERT INTO consumer (source, app_id, user_id, consent_id, caught_up)
VALUES (:source, :app_id, :user_id, :consent_id, false)
