#!/usr/bin/env bash
# Runs the throughput benchmark (docs/benchmarks.md): builds the jar, then two proxies, ejabberd, PostgreSQL and
# Mosquitto on this machine. Needs root and ejabberd set up by .ci/ejabberd-setup.sh; mosquitto installed.
#   bench/run.sh                                  # defaults: 60 s per variant
#   bench/run.sh -Dbench.seconds=300              # the 5-minute run of docs/benchmarks.md
#   bench/run.sh -Dbench.variants=mqtt -Dbench.jfr=true -Dbench.proxy.senproxy.outbox.batch-size=500
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /usr/sbin/ejabberdctl ] || { echo "bench: ejabberd missing: run .ci/ejabberd-setup.sh" >&2; exit 1; }
[ -x /usr/sbin/mosquitto ] || { echo "bench: mosquitto missing: apt-get install -y mosquitto" >&2; exit 1; }
exec mvn -B -ntp -q -Pbench package "$@"
