#!/usr/bin/env bash
# Checks the Kubernetes manifests (k8s/) and the Grafana dashboard without a cluster:
#   1. renders each overlay (dev, prod, prod with the trust-store component) with `kubectl kustomize`;
#   2. validates each rendering with k8s/validate.py (references, probes, security, the ConfigMaps
#      against the repository's routes/, connectors/, transforms/ and application.properties);
#   3. validates k8s/grafana/sen-proxy-dashboard.json (JSON, datasource variable, metric names) and the alert rules
#      k8s/prometheus/sen-proxy-alerts.yaml (shape, severities, metric names; PromQL and unit tests with promtool);
#   4. self-test: feeds the validator deliberately broken input (k8s/testdata/) and requires it to
#      refuse it with the expected messages, so that the checks above cannot pass vacuously.
# Nothing is applied anywhere: there is no cluster and no registry here.
#
# Usage: bash .ci/k8s-check.sh     (any folder; root only if PyYAML has to be installed)
# Needs: kubectl >= 1.21 (its built-in kustomize must know --load-restrictor; this machine image has
# 1.32), Python 3 with PyYAML (installed from Debian's python3-yaml if missing).
# K8S_CHECK_OUT=DIR keeps the rendered manifests in DIR (default: a temporary folder, removed on success).
set -uo pipefail
cd "$(dirname "$0")/.."

say() { echo "k8s-check: $*"; }
die() { echo "k8s-check: ERROR: $*" >&2; exit 1; }

# --- tools -----------------------------------------------------------------------------------------------
apt_install() {
  [ "$(id -u)" -eq 0 ] || die "$* missing and not root: install it (apt-get install $*)"
  say "installing $* (apt-get)"
  apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/tmp/k8s-check-apt.log 2>&1 \
    || { tail -n 20 /tmp/k8s-check-apt.log >&2; die "apt-get install $* failed"; }
}

# kubectl: Debian 12's own package (kubernetes-client 1.20) is too old for these manifests (its kustomize
# knows neither `labels:` nor --load-restrictor), so it is not installed here: say what is needed instead.
if ! command -v kubectl >/dev/null 2>&1; then
  die "kubectl not found. Install kubectl >= 1.21 (Kubernetes' own apt repository or release binary);
  Debian 12's kubernetes-client package is 1.20 and cannot render these overlays."
fi
if ! kubectl kustomize --help 2>/dev/null | grep -q -- '--load-restrictor'; then
  die "$(command -v kubectl) is too old: its kustomize has no --load-restrictor (needs kubectl >= 1.21).
  $(kubectl version --client 2>&1 | head -n 1)"
fi

PY=""
for candidate in python3 /usr/bin/python3; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import yaml' >/dev/null 2>&1; then
    PY="$candidate"
    break
  fi
done
if [ -z "$PY" ]; then
  apt_install python3-yaml
  PY=/usr/bin/python3
  "$PY" -c 'import yaml' || die "python3-yaml installed but /usr/bin/python3 cannot import yaml"
fi
say "$(kubectl version --client 2>/dev/null | tr '\n' ' ')| $("$PY" --version 2>&1) with PyYAML"

OUT="${K8S_CHECK_OUT:-$(mktemp -d /tmp/k8s-check.XXXXXX)}"
mkdir -p "$OUT"

# --- steps -----------------------------------------------------------------------------------------------
passed=0
failed=0
step() { # step NAME COMMAND...: runs COMMAND, counts it
  local name="$1"
  shift
  if "$@"; then
    say "ok   $name"
    passed=$((passed + 1))
  else
    say "FAIL $name"
    failed=$((failed + 1))
  fi
}

render() { # render KUSTOMIZATION_DIR OUTPUT_FILE
  kubectl kustomize --load-restrictor LoadRestrictionsNone "$1" >"$2"
}

expect_refusal() { # expect_refusal EXPECT_FILE COMMAND...: COMMAND must exit 1 and print every line of EXPECT_FILE
  local expect="$1"
  shift
  local output rc=0 missing=0
  output="$("$@" 2>&1)" || rc=$?
  if [ "$rc" -ne 1 ]; then
    echo "$output"
    say "  expected the validator to refuse this input (exit 1), it exited $rc"
    return 1
  fi
  while IFS= read -r line; do
    case "$line" in '' | '#'*) continue ;; esac
    if ! grep -qF -- "$line" <<<"$output"; then
      say "  the validator did not report: $line"
      missing=1
    fi
  done <"$expect"
  [ "$missing" -eq 0 ] || echo "$output"
  return "$missing"
}

validate() { "$PY" k8s/validate.py "$@"; }

# Overlays
step "render k8s/overlays/dev" render k8s/overlays/dev "$OUT/dev.yaml"
step "validate dev" validate manifests "$OUT/dev.yaml"

step "render k8s/overlays/prod" render k8s/overlays/prod "$OUT/prod.yaml"
step "validate prod (external Secret sen-proxy-secrets, keys documented in k8s/README.md)" \
  validate manifests "$OUT/prod.yaml" --external-secret sen-proxy-secrets \
  --external-secret sen-proxy-signing-key --docs k8s/README.md

# prod with the optional trust-store component, through a throw-away overlay (kustomize wants relative paths)
mkdir -p "$OUT/prod-truststore"
rel="$("$PY" -c 'import os, sys; print(os.path.relpath(sys.argv[1], sys.argv[2]))' "$PWD/k8s" "$OUT/prod-truststore")"
cat >"$OUT/prod-truststore/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - $rel/overlays/prod
components:
  - $rel/components/truststore
EOF
step "render prod + components/truststore" render "$OUT/prod-truststore" "$OUT/prod-truststore.yaml"
step "validate prod + components/truststore" \
  validate manifests "$OUT/prod-truststore.yaml" --external-secret sen-proxy-secrets \
  --external-secret sen-proxy-truststore --external-secret sen-proxy-signing-key --docs k8s/README.md

# promtool, Prometheus' own checker of rules and PromQL: Debian's prometheus package, unpacked only (installing it
# would start a Prometheus server). As root (CI) it is required; elsewhere its checks are skipped when it is missing.
PROMTOOL="$(command -v promtool || true)"
if [ -z "$PROMTOOL" ] && [ "$(id -u)" -eq 0 ]; then
  say "fetching promtool (apt-get download prometheus, unpacked in $OUT)"
  (cd "$OUT" && { apt-get download prometheus >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && apt-get download prometheus >/dev/null 2>&1; }; } \
    && dpkg -x prometheus_*.deb promdeb) || die "cannot fetch Debian's prometheus package for promtool"
  PROMTOOL="$OUT/promdeb/usr/bin/promtool"
fi

# Alerts: their shape and metrics (validate.py), their PromQL, and unit tests that each fires when it should
step "validate k8s/prometheus/sen-proxy-alerts.yaml" validate alerts k8s/prometheus/sen-proxy-alerts.yaml
if [ -n "$PROMTOOL" ]; then
  step "promtool check rules k8s/prometheus/sen-proxy-alerts.yaml" \
    "$PROMTOOL" check rules k8s/prometheus/sen-proxy-alerts.yaml
  step "promtool test rules k8s/prometheus/sen-proxy-alerts.test.yaml" \
    "$PROMTOOL" test rules k8s/prometheus/sen-proxy-alerts.test.yaml
else
  say "skip promtool's checks of the alerts: promtool not installed and not root (Debian package prometheus)"
fi

# Dashboard
step "validate k8s/grafana/sen-proxy-dashboard.json" validate dashboard k8s/grafana/sen-proxy-dashboard.json
if [ -n "$PROMTOOL" ]; then
  # PromQL syntax of every query
  promql_syntax() {
    "$PY" - "$OUT/dashboard-rules.yml" <<'EOF' && "$PROMTOOL" check rules "$OUT/dashboard-rules.yml" >/dev/null
import json, sys
exprs = []
def walk(panels):
    for p in panels or []:
        exprs.extend(t["expr"] for t in p.get("targets") or [] if t.get("expr"))
        walk(p.get("panels"))
walk(json.load(open("k8s/grafana/sen-proxy-dashboard.json"))["panels"])
with open(sys.argv[1], "w") as f:
    f.write("groups:\n- name: dashboard\n  rules:\n")
    for i, e in enumerate(exprs):
        for var, value in (("$__rate_interval", "5m"), ("$job", ".*"), ("$instance", ".*")):
            e = e.replace(var, value)
        f.write(f"  - record: q{i}\n    expr: {json.dumps(e)}\n")
EOF
  }
  step "PromQL syntax of the dashboard's queries (promtool)" promql_syntax
else
  say "skip PromQL syntax of the dashboard's queries: promtool not installed (Debian package prometheus)"
fi

# Self-test: broken input must be refused, with the expected messages
step "self-test: k8s/testdata/broken.yaml is refused" \
  expect_refusal k8s/testdata/broken.expect validate manifests k8s/testdata/broken.yaml
undocumented="$OUT/no-docs.expect"
printf '%s\n' "Secret sen-proxy-secrets: is external but the docs do not name it" \
  "Secret sen-proxy-secrets: key SENPROXY_DB_PASSWORD: read by" \
  "Secret sen-proxy-secrets: key SENPROXY_XMPP_PASSWORD: read by" >"$undocumented"
step "self-test: prod with undocumented Secret keys is refused" \
  expect_refusal "$undocumented" validate manifests "$OUT/prod.yaml" --external-secret sen-proxy-secrets --docs /dev/null
step "self-test: k8s/testdata/broken-dashboard.json is refused" \
  expect_refusal k8s/testdata/broken-dashboard.expect validate dashboard k8s/testdata/broken-dashboard.json
step "self-test: k8s/testdata/broken-alerts.yaml is refused" \
  expect_refusal k8s/testdata/broken-alerts.expect validate alerts k8s/testdata/broken-alerts.yaml

if [ "$failed" -eq 0 ] && [ -z "${K8S_CHECK_OUT:-}" ]; then
  rm -rf "$OUT"
else
  say "rendered manifests kept in $OUT"
fi
echo "k8s-check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
