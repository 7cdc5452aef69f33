-- KeyRotation: the peers enrolled over the federation, to which key announcements go.
SELECT jid FROM app WHERE enrollment = 'enrolled' ORDER BY jid
