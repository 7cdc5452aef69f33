-- AuditTrail: the seqs of the entries to append, in one statement.
SELECT nextval(pg_get_serial_sequence('audit_log', 'seq')) FROM generate_series(1, :count)
