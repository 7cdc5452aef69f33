-- IndexResets: the last reading seen of each of these index series.
SELECT name, value, time FROM index_state WHERE source = :source AND name = ANY(:names)
