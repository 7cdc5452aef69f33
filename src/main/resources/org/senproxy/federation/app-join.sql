-- Enrollments.join: the inviting proxy, registered as pending until its signed answer comes.
INSERT INTO app (name, jid, enrollment, enrolled_via, expected_key) VALUES (:name, :jid, 'pending', :via, :expected_key)
