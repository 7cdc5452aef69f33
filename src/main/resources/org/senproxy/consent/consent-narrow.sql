-- Consents.narrow: the consent's new data period.
UPDATE consent SET data_from = :data_from, data_until = :data_until WHERE ref = :ref
