-- QueueMetrics.depths: outbox rows waiting to be sent or acknowledged, per peer, and inbox rows waiting for delivery.
SELECT 'outbox', recipient_jid, count(*) FROM outbox WHERE status IN ('pending', 'sent') GROUP BY recipient_jid
UNION ALL
SELECT 'inbox', 'inbox', count(*) FROM inbox WHERE status = 'pending'
