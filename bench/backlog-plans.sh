#!/usr/bin/env bash
# Plans of the proxy's per-claim statements on a deep backlog (docs/benchmarks.md, "Cost with history and backlog"):
# makes a database of its own, applies the migrations with psql (V7, Quartz's Java migration, is not needed here), fills
# it with generate_series (not through the proxy), then prints EXPLAIN (ANALYZE, BUFFERS) of each statement file, run
# in a transaction rolled back, with the defaults' parameters. Plain psql against any PostgreSQL 15+ you may create a
# database in:
#   PGHOST=127.0.0.1 PGUSER=postgres bench/backlog-plans.sh            # 1 M outbox rows, 1 M inbox rows
#   BACKLOG=100000 bench/backlog-plans.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${DB:-senproxy_backlog_plans}
BACKLOG=${BACKLOG:-1000000}
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
run() { psql -X -q -v ON_ERROR_STOP=1 -d "$DB" "$@"; }
for f in $(ls src/main/resources/db/migration/V*.sql | sort -t V -k 2 -n); do
    run -c "CREATE SCHEMA IF NOT EXISTS senproxy" -c "SET search_path = senproxy, public" -f "$f" >/dev/null
done
echo "== fill: $BACKLOG outbox rows due for proxy-b (away, now back), 200 in flight for it, 10 due for proxy-c;"
echo "   $BACKLOG inbox rows delivered, 10 pending"
run <<SQL
SET search_path = senproxy, public;
INSERT INTO app (name, jid) VALUES ('b', 'proxy-b@localhost'), ('c', 'proxy-c@localhost');
INSERT INTO federated_user (external_id) VALUES ('owner-1');
INSERT INTO consent (ref, user_id, app_id, scope, valid_from, valid_until, granted_by)
SELECT gen_random_uuid(), 1, id, '*', now() - interval '1 year', now() + interval '1 year', 'test' FROM app;
INSERT INTO consumer (source, app_id, consent_id) SELECT 'bench-source', a.id, k.id FROM app a JOIN consent k ON k.app_id = a.id;
-- the backlog: due since the peer went away a day ago, written under a consent in force, with their span of times
INSERT INTO outbox (message_id, correlation_id, consumer_id, recipient_jid, payload, record_count, status, attempts,
                    next_attempt_at, created_at, consent_ref, first_at, last_at)
SELECT gen_random_uuid(), 'c' || g, 1, 'proxy-b@localhost', repeat('x', 200), 250, 'pending', 3,
       now() - interval '1 day' + g * interval '86 ms', now() - interval '1 day' + g * interval '86 ms',
       (SELECT ref FROM consent WHERE app_id = 1), now() - interval '2 days', now() - interval '2 days'
  FROM generate_series(1, $BACKLOG) g;
-- proxy-b's window is full: 200 rows sent, waiting for their ack (not due)
INSERT INTO outbox (message_id, correlation_id, consumer_id, recipient_jid, payload, record_count, status, attempts,
                    next_attempt_at, consent_ref, first_at, last_at, sent_at)
SELECT gen_random_uuid(), 'f' || g, 1, 'proxy-b@localhost', 'x', 250, 'sent', 1, now() + interval '1 hour',
       (SELECT ref FROM consent WHERE app_id = 1), now(), now(), now()
  FROM generate_series(1, 200) g;
-- another peer, a few rows due now
INSERT INTO outbox (message_id, correlation_id, consumer_id, recipient_jid, payload, record_count, status,
                    next_attempt_at, consent_ref, first_at, last_at)
SELECT gen_random_uuid(), 'o' || g, 2, 'proxy-c@localhost', 'x', 250, 'pending', now(),
       (SELECT ref FROM consent WHERE app_id = 2), now(), now()
  FROM generate_series(1, 10) g;
INSERT INTO inbox (sender_jid, message_id, correlation_id, format_version, payload, record_count, status, received_at,
                   delivered_at)
SELECT 'proxy-a@localhost', 'm' || g, 'c', 1, repeat('x', 200), 250, 'delivered', now() - interval '1 day',
       now() - interval '1 day' FROM generate_series(1, $BACKLOG) g;
INSERT INTO inbox (sender_jid, message_id, correlation_id, format_version, payload, record_count)
SELECT 'proxy-a@localhost', 'p' || g, 'c', 1, 'x', 250 FROM generate_series(1, 10) g;
VACUUM ANALYZE;
SQL
# a statement file with the defaults' values for its :parameters, EXPLAIN (ANALYZE, BUFFERS), rolled back
explain() {
    local file=$1
    echo
    echo "== $file"
    { echo "SET search_path = senproxy, public;"; echo "BEGIN;"; echo "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY ON)"
      grep -v '^\s*--' "$file" | sed -e 's/:lease_ms/60000/g; s/:replica/'"'r1'"'/g; s/:max_attempts/20/g' \
          -e 's/:window/200/g; s/:first_due/400/g; s/:batch_size/100/g; s/:consent_required/true/g' \
          -e 's/:days_ahead::int/7/g; s/:days/7/g'
      echo ";"; echo "ROLLBACK;"; } | run
}
for f in outbox/withhold outbox/expire outbox/queued-outside outbox/claim inbox/claim delivery/purge-outbox-acked \
         delivery/purge-inbox; do
    explain "src/main/resources/org/senproxy/$f.sql"
done
echo
echo "== proxy-b's 200 rows in flight acknowledged: its window has room, the claim takes its backlog's head"
run -c "UPDATE senproxy.outbox SET status = 'acked', acked_at = now() WHERE status = 'sent'"
explain src/main/resources/org/senproxy/outbox/claim.sql
run -c "SELECT 'outbox ' || pg_size_pretty(pg_total_relation_size('senproxy.outbox')) || ', inbox '
        || pg_size_pretty(pg_total_relation_size('senproxy.inbox'))" -t
