-- peers join --wait: how the enrollment request stands, and the enrollment of its peer (none: refused, removed).
SELECT m.status, m.reason, (SELECT a.enrollment FROM app a WHERE a.jid = m.peer_jid)
  FROM control_message m WHERE m.direction = 'out' AND m.message_id = :message_id
