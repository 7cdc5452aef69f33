-- AppKeys.register: the app's id, by name (it must be registered).
SELECT id FROM app WHERE name = :app
