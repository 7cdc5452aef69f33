-- apps list: every app by name, with its address and how many of its keys are valid now.
SELECT a.name, a.jid, count(k.id) FILTER (WHERE k.valid_until IS NULL OR k.valid_until > now())
  FROM app a LEFT JOIN app_key k ON k.app_id = a.id
 GROUP BY a.id
 ORDER BY a.name
