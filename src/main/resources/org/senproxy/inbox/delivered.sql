-- inbox-delivery: rows delivered, in one statement.
UPDATE inbox SET status = 'delivered', delivered_at = now(), attempts = attempts + 1, last_error = NULL
 WHERE id = ANY(:ids) AND status = 'pending'
