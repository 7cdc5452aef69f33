-- Every switch in one query: each peer app (on unless a row says otherwise) with its JID, and each connector with a
-- row. Columns: kind, name, enabled, reason, changed_by, changed_at, jid (peers only).
SELECT 'peer' AS kind, a.name, coalesce(s.enabled, true) AS enabled, s.reason, s.changed_by, s.changed_at, a.jid
  FROM app a LEFT JOIN switch s ON s.kind = 'peer' AND s.name = a.name
UNION ALL
SELECT s.kind, s.name, s.enabled, s.reason, s.changed_by, s.changed_at, NULL
  FROM switch s WHERE s.kind = 'connector'
 ORDER BY 1, 2
