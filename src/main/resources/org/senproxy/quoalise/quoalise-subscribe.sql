-- QuoaliseService.subscribe: a consumer pushing the series to the app under its consent (done once written: a Quoalise
-- client does not acknowledge), unless one is active already.
INSERT INTO consumer (source, series_prefix, app_id, user_id, consent_id, acknowledges)
SELECT :source, :name, :app_id, :user_id, :consent_id, false
 WHERE NOT EXISTS (
       SELECT 1 FROM consumer
        WHERE active AND NOT acknowledges AND source = :source AND series_prefix = :name AND app_id = :app_id
          AND consent_id = :consent_id)
