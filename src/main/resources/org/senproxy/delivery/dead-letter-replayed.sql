-- A replay: the letter stays, as the record of what happened, marked replayed.
UPDATE dead_letter SET replayed_at = now() WHERE id = :id
