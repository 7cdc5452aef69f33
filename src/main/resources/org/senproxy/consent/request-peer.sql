-- ConsentRequests.request: the app asked, by name, with its address and whether it is enrolled.
SELECT id, jid, enrollment FROM app WHERE name = :app
