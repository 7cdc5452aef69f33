#!/usr/bin/env bash
# Installs and starts a local Prosody (Debian 12 package, 0.12) for sen-proxy's tests and CI, next to the ejabberd of
# .ci/ejabberd-setup.sh: both can run at once (different ports, different certificate files and trust stores).
#
# Run as root on a Debian 12 machine; safe to run again (it then reinstalls the config and restarts the server,
# keeping the certificate and the accounts).
#
#   - Prosody on 127.0.0.1:5422 ($SENPROXY_PROSODY_PORT), domain `localhost`, STARTTLS required, c2s rate limit
#     raised, offline messages and stream management on, no s2s/HTTP listeners (.ci/prosody.cfg.lua)
#   - a self-signed certificate for CN=localhost in /etc/prosody/certs/localhost.crt and .key (made once)
#   - a JKS trust store holding that certificate for the Java clients:
#       $SENPROXY_PROSODY_TRUSTSTORE          (default /etc/prosody/senproxy-truststore.jks)
#       $SENPROXY_PROSODY_TRUSTSTORE_PASSWORD (default changeit; it guards a public certificate only)
#     (variables of their own: SENPROXY_XMPP_TRUSTSTORE names ejabberd's, which this script must not overwrite)
#
# Accounts: prosodyctl register <user> localhost <password>; prosodyctl deluser <user>@localhost
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
CONFIG_SRC="$SCRIPT_DIR/prosody.cfg.lua"
CONFIG_DST=/etc/prosody/prosody.cfg.lua
CERT_DIR=/etc/prosody/certs
CERT="$CERT_DIR/localhost.crt"
KEY="$CERT_DIR/localhost.key"
PORT="${SENPROXY_PROSODY_PORT:-5422}"
TRUSTSTORE="${SENPROXY_PROSODY_TRUSTSTORE:-/etc/prosody/senproxy-truststore.jks}"
TRUSTSTORE_PASSWORD="${SENPROXY_PROSODY_TRUSTSTORE_PASSWORD:-changeit}"
export DEBIAN_FRONTEND=noninteractive
# prosodyctl lives in /usr/bin, but keytool or openssl may be elsewhere on a non-login shell's PATH
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

step() { echo "prosody-setup: $*"; }
fail() { echo "prosody-setup: ERROR: $*" >&2; exit 1; }
accepts() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

[ "$(id -u)" -eq 0 ] || fail "run as root"
[ -f "$CONFIG_SRC" ] || fail "missing $CONFIG_SRC"
[[ "$PORT" =~ ^[0-9]+$ ]] || fail "SENPROXY_PROSODY_PORT must be a port number, not '$PORT'"
[ "$PORT" != 5222 ] || fail "port 5222 is ejabberd's: give Prosody another one"
[ "${#TRUSTSTORE_PASSWORD}" -ge 6 ] || fail "SENPROXY_PROSODY_TRUSTSTORE_PASSWORD must have at least 6 characters (keytool)"
SECONDS=0

# 1. Packages -------------------------------------------------------------------------------
if command -v prosodyctl >/dev/null 2>&1 && dpkg-query -W -f='${Status}' prosody 2>/dev/null | grep -q 'install ok installed' \
    && command -v openssl >/dev/null 2>&1; then
  step "prosody $(dpkg-query -W -f='${Version}' prosody) already installed"
else
  step "installing prosody and openssl (apt-get)"
  apt-get update -qq >/dev/null
  # the package's postinst may start Prosody with its stock config (under systemd): stopped in step 2
  apt-get install -y -qq prosody openssl >/tmp/prosody-setup-apt.log 2>&1 \
    || { tail -n 30 /tmp/prosody-setup-apt.log >&2; fail "apt-get install prosody openssl failed (log: /tmp/prosody-setup-apt.log)"; }
fi
command -v keytool >/dev/null 2>&1 || fail "keytool not found: install a JDK (openjdk-17-jdk-headless)"

# 2. No Prosody left running (with the package's stock config or an older one of ours) ---------
mkdir -p /run/prosody /var/log/prosody
chown prosody:prosody /run/prosody /var/log/prosody
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prosody 2>/dev/null; then
  step "stopping the prosody service (systemd)"
  systemctl stop prosody
fi
if prosodyctl status >/dev/null 2>&1; then
  step "stopping the running Prosody"
  prosodyctl stop >/tmp/prosody-setup-stop.log 2>&1 || { cat /tmp/prosody-setup-stop.log >&2; fail "prosodyctl stop failed"; }
else
  step "Prosody is not running"
fi
# the port must be free now: another server on it would take the tests' connections
for _ in $(seq 1 50); do accepts || break; sleep 0.2; done
accepts && fail "127.0.0.1:$PORT still accepts connections with Prosody stopped: another program holds it (ss -ltnp)"

# 3. Certificate for CN=localhost (made once), readable by the prosody user ----------------------
if [ -s "$CERT" ] && [ -s "$KEY" ] && openssl x509 -in "$CERT" -noout -checkend 86400 >/dev/null 2>&1 \
    && openssl pkey -in "$KEY" -noout >/dev/null 2>&1; then
  step "certificate $CERT already present"
else
  step "generating a self-signed certificate for CN=localhost in $CERT"
  tmp="$(mktemp -d)"
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
    -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" >/dev/null 2>&1 \
    || { rm -rf "$tmp"; fail "openssl req failed"; }
  install -d -o prosody -g prosody -m 750 "$CERT_DIR"
  install -o prosody -g prosody -m 644 "$tmp/cert.pem" "$CERT"
  install -o prosody -g prosody -m 640 "$tmp/key.pem" "$KEY"
  rm -rf "$tmp"
fi
chown prosody:prosody "$CERT" "$KEY"
chmod 640 "$KEY"

# 4. Java trust store holding that certificate (rebuilt every run, so it always matches) -------
step "writing the trust store $TRUSTSTORE"
mkdir -p "$(dirname "$TRUSTSTORE")"
tmp="$(mktemp -d)"
keytool -importcert -noprompt -alias senproxy-prosody-localhost -file "$CERT" \
  -keystore "$tmp/truststore.jks" -storetype JKS -storepass "$TRUSTSTORE_PASSWORD" >"$tmp/keytool.log" 2>&1 \
  || { cat "$tmp/keytool.log" >&2; rm -rf "$tmp"; fail "keytool -importcert failed"; }
install -m 644 "$tmp/truststore.jks" "$TRUSTSTORE"
rm -rf "$tmp"

# 5. Configuration (the package's own is kept once, beside it) -------------------------------
if [ -f "$CONFIG_DST" ] && ! grep -q "sen-proxy" "$CONFIG_DST" && [ ! -e "$CONFIG_DST.debian" ]; then
  cp -p "$CONFIG_DST" "$CONFIG_DST.debian"
fi
step "installing $CONFIG_SRC as $CONFIG_DST (c2s port $PORT)"
tmp="$(mktemp)"
sed "s/^c2s_ports = { 5422 }$/c2s_ports = { $PORT }/" "$CONFIG_SRC" >"$tmp"
grep -q "^c2s_ports = { $PORT }$" "$tmp" || { rm -f "$tmp"; fail "$CONFIG_SRC has no 'c2s_ports = { 5422 }' line"; }
install -o root -g prosody -m 640 "$tmp" "$CONFIG_DST"
rm -f "$tmp"
prosodyctl check config >/tmp/prosody-setup-check.log 2>&1 \
  || { cat /tmp/prosody-setup-check.log >&2; fail "prosodyctl check config failed"; }

# 6. Start and check ---------------------------------------------------------------------------
step "starting Prosody"
if ! prosodyctl start >/tmp/prosody-setup-start.log 2>&1; then
  cat /tmp/prosody-setup-start.log >&2
  tail -n 40 /var/log/prosody/prosody.log /var/log/prosody/prosody.err >&2 2>/dev/null || true
  fail "prosodyctl start failed"
fi
for _ in $(seq 1 150); do accepts && break; sleep 0.2; done
if ! accepts; then
  tail -n 40 /var/log/prosody/prosody.log /var/log/prosody/prosody.err >&2 2>/dev/null || true
  fail "Prosody does not accept connections on 127.0.0.1:$PORT after 30 s (logs: /var/log/prosody/)"
fi
step "$(prosodyctl status 2>&1 | tr '\n' ' ' | sed 's/ *$//')"
step "ready in ${SECONDS}s: xmpp://localhost on 127.0.0.1:$PORT (STARTTLS), trust store $TRUSTSTORE"
