-- IndexResets: the newest reading of an index series, for the next poll.
INSERT INTO index_state (source, name, value, time) VALUES (:source, :name, :value, :time)
    ON CONFLICT (source, name) DO UPDATE SET value = excluded.value, time = excluded.time
 WHERE excluded.time >= index_state.time
