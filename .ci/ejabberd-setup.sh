#!/usr/bin/env bash
# Installs and starts a local ejabberd (Debian 12 package, 23.01) for sen-proxy's tests and CI.
#
# Run as root on a fresh Debian 12 machine; safe to run again (it then reinstalls the config and
# restarts the server, keeping the certificate and the accounts).
#
#   - ejabberd on 127.0.0.1:5222, domain `localhost`, STARTTLS required, no shaper (.ci/ejabberd.yml)
#   - a self-signed certificate for CN=localhost in /etc/ejabberd/senproxy-localhost.pem (made once)
#   - a JKS trust store holding that certificate for the Java clients:
#       $SENPROXY_XMPP_TRUSTSTORE          (default /etc/ejabberd/senproxy-truststore.jks)
#       $SENPROXY_XMPP_TRUSTSTORE_PASSWORD (default changeit; it guards a public certificate only)
#
# Accounts: ejabberdctl register <user> localhost <password>
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
CONFIG_SRC="$SCRIPT_DIR/ejabberd.yml"
CONFIG_DST=/etc/ejabberd/ejabberd.yml
CERT_PEM=/etc/ejabberd/senproxy-localhost.pem
TRUSTSTORE="${SENPROXY_XMPP_TRUSTSTORE:-/etc/ejabberd/senproxy-truststore.jks}"
TRUSTSTORE_PASSWORD="${SENPROXY_XMPP_TRUSTSTORE_PASSWORD:-changeit}"
export DEBIAN_FRONTEND=noninteractive
# ejabberdctl lives in /usr/sbin, which a non-login shell's PATH may lack.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

step() { echo "ejabberd-setup: $*"; }
fail() { echo "ejabberd-setup: ERROR: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "run as root"
[ -f "$CONFIG_SRC" ] || fail "missing $CONFIG_SRC"
[ "${#TRUSTSTORE_PASSWORD}" -ge 6 ] || fail "SENPROXY_XMPP_TRUSTSTORE_PASSWORD must have at least 6 characters (keytool)"
SECONDS=0

# 1. Packages -------------------------------------------------------------------------------
if command -v ejabberdctl >/dev/null 2>&1 && dpkg-query -W -f='${Status}' ejabberd 2>/dev/null | grep -q 'install ok installed' \
    && command -v openssl >/dev/null 2>&1; then
  step "ejabberd $(dpkg-query -W -f='${Version}' ejabberd) already installed"
else
  step "installing ejabberd and openssl (apt-get)"
  apt-get update -qq >/dev/null
  apt-get install -y -qq ejabberd openssl >/tmp/ejabberd-setup-apt.log 2>&1 \
    || { tail -n 30 /tmp/ejabberd-setup-apt.log >&2; fail "apt-get install ejabberd openssl failed (log: /tmp/ejabberd-setup-apt.log)"; }
fi
command -v keytool >/dev/null 2>&1 || fail "keytool not found: install a JDK (openjdk-17-jdk-headless)"

# 2. No ejabberd left running (with the package's stock config or an older one of ours) --------
mkdir -p /run/ejabberd
chown ejabberd:ejabberd /run/ejabberd
status_rc=0
ejabberdctl status >/dev/null 2>&1 || status_rc=$?
if [ "$status_rc" -ne 3 ]; then
  # 0: running; 1: node up but ejabberd not (yet/any more) running: stop the node either way.
  step "stopping the running ejabberd (status $status_rc)"
  ejabberdctl stop >/dev/null 2>&1 || true
  ejabberdctl stopped >/dev/null 2>&1 || fail "ejabberd did not stop"
else
  step "ejabberd is not running"
fi

# 3. Certificate for CN=localhost (made once) ---------------------------------------------------
if [ -s "$CERT_PEM" ] && openssl x509 -in "$CERT_PEM" -noout -checkend 86400 >/dev/null 2>&1 \
    && openssl pkey -in "$CERT_PEM" -noout >/dev/null 2>&1; then
  step "certificate $CERT_PEM already present"
else
  step "generating a self-signed certificate for CN=localhost in $CERT_PEM"
  tmp="$(mktemp -d)"
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
    -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" >/dev/null 2>&1 \
    || { rm -rf "$tmp"; fail "openssl req failed"; }
  cat "$tmp/cert.pem" "$tmp/key.pem" >"$tmp/all.pem"
  install -o ejabberd -g ejabberd -m 640 "$tmp/all.pem" "$CERT_PEM"
  rm -rf "$tmp"
fi
chown ejabberd:ejabberd "$CERT_PEM"
chmod 640 "$CERT_PEM"

# 4. Java trust store holding that certificate (rebuilt every run, so it always matches) -------
step "writing the trust store $TRUSTSTORE"
mkdir -p "$(dirname "$TRUSTSTORE")"
tmp="$(mktemp -d)"
openssl x509 -in "$CERT_PEM" -out "$tmp/cert.pem"
keytool -importcert -noprompt -alias senproxy-localhost -file "$tmp/cert.pem" \
  -keystore "$tmp/truststore.jks" -storetype JKS -storepass "$TRUSTSTORE_PASSWORD" >"$tmp/keytool.log" 2>&1 \
  || { cat "$tmp/keytool.log" >&2; rm -rf "$tmp"; fail "keytool -importcert failed"; }
install -m 644 "$tmp/truststore.jks" "$TRUSTSTORE"
rm -rf "$tmp"

# 5. Configuration ---------------------------------------------------------------------------
step "installing $CONFIG_SRC as $CONFIG_DST"
install -o ejabberd -g ejabberd -m 600 "$CONFIG_SRC" "$CONFIG_DST"

# 6. Start and check ---------------------------------------------------------------------------
step "starting ejabberd"
if ! ejabberdctl start >/tmp/ejabberd-setup-start.log 2>&1; then
  cat /tmp/ejabberd-setup-start.log >&2
  fail "ejabberdctl start failed"
fi
if ! ejabberdctl started >/dev/null 2>&1; then
  tail -n 40 /var/log/ejabberd/ejabberd.log /var/log/ejabberd/error.log >&2 2>/dev/null || true
  fail "ejabberd did not start within 60 s (logs: /var/log/ejabberd/)"
fi
status_out="$(ejabberdctl status 2>&1)" || { echo "$status_out" >&2; fail "ejabberdctl status failed"; }
step "$(echo "$status_out" | tr '\n' ' ' | sed 's/ *$//')"
step "ready in ${SECONDS}s: xmpp://localhost on 127.0.0.1:5222 (STARTTLS), trust store $TRUSTSTORE"
