-- ConsentSources: the sources sending under one consent.
SELECT source FROM consumer WHERE consent_id = :consent_id
