#!/usr/bin/env bash
# Runs the throughput benchmark (docs/benchmarks.md): builds the jar, then two proxies, ejabberd, PostgreSQL and
# Mosquitto on this machine. Needs root and ejabberd set up by .ci/ejabberd-setup.sh; mosquitto installed.
#   bench/run.sh                                  # defaults: 60 s per variant
#   bench/run.sh -Dbench.seconds=300              # the 5-minute run of docs/benchmarks.md
#   bench/run.sh -Dbench.variants=mqtt -Dbench.jfr=true -Dbench.proxy.senproxy.outbox.batch-size=500
#   bench/run.sh -Dbench.variants=mqtt -Dbench.prefill.source-records=0,10000000   # empty and 10 M keys side by side
#   bench/run.sh -Dbench.variants=mqtt -Dbench.prefill.inbox-rows=1000000 -Dbench.backlog.outbox-rows=100000
#   bench/run.sh -Dbench.variants=mqtt -Dbench.soak-seconds=3600                    # the one-hour soak (issue 22)
# Without the proxies (no ejabberd needed): the history's own costs, and the plans of the claim statements on a backlog:
#   java -cp <test classpath> -Dbench.prefill.source-records=10000000 org.senproxy.bench.BenchPrefill
#   PGHOST=127.0.0.1 PGUSER=postgres bench/backlog-plans.sh                # 1 M outbox rows due, 1 M inbox rows done
#   java -cp <test classpath> -Dbench.finished.rows=1000000,4000000 org.senproxy.bench.BenchFinished  # retention of
#                                                           # acknowledged outbox and delivered inbox rows, by history
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /usr/sbin/ejabberdctl ] || { echo "bench: ejabberd missing: run .ci/ejabberd-setup.sh" >&2; exit 1; }
[ -x /usr/sbin/mosquitto ] || { echo "bench: mosquitto missing: apt-get install -y mosquitto" >&2; exit 1; }
exec mvn -B -ntp -q -Pbench package "$@"
