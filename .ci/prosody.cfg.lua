-- Prosody 0.12 (Debian 12) configuration for sen-proxy's tests and CI.
--
-- Installed as /etc/prosody/prosody.cfg.lua by .ci/prosody-setup.sh, which also makes
-- /etc/prosody/certs/localhost.crt and .key (self-signed, CN=localhost, SAN DNS:localhost) and a JKS trust store
-- holding that certificate for the Java clients.
--
-- A test server, not a production one, meant to run NEXT TO the ejabberd of .ci/ejabberd.yml:
--  - one domain (localhost), one c2s listener on 127.0.0.1:5422 (ejabberd has 5222, the throughput benchmark's
--    own ejabberd 5322); no s2s, HTTP, component or direct-TLS listeners;
--  - STARTTLS required; SASL SCRAM-SHA-1 and PLAIN (hashed password storage);
--  - no real rate limit on c2s (the Debian default, 10 kb/s, lets a proxy send ~22 messages/s);
--  - offline messages kept (mod_offline), stream management offered (mod_smacks), no carbons;
--  - accounts are made with `prosodyctl register`; no in-band registration (no mod_register).
--
-- .ci/prosody-setup.sh replaces the port 5422 below when SENPROXY_PROSODY_PORT names another one.

-- prosodyctl runs as root in CI and drops to this user
prosody_user = "prosody"
prosody_group = "prosody"
pidfile = "/run/prosody/prosody.pid"
-- CI calls prosodyctl start/stop directly: no warning about an init system
prosodyctl_service_warnings = false

admins = { }

-- Every listener on loopback only; an empty port list means no listener of that kind.
interfaces = { "127.0.0.1" }
local_interfaces = { "127.0.0.1" }
c2s_ports = { 5422 }
c2s_direct_tls_ports = { }
s2s_ports = { }
s2s_direct_tls_ports = { }
component_ports = { }
http_ports = { }
https_ports = { }

modules_enabled = {
	"roster"; -- Smack fetches the roster at login
	"saslauth";
	"tls";
	"disco";
	"ping"; -- Smack's PingManager
	"limits"; -- loaded with its c2s rate raised (below): an unloaded module is a setting a later edit could undo
	"smacks"; -- XEP-0198 (the proxies turn it off on their side; other clients, slixmpp, use it)
	"offline"; -- messages to an absent proxy wait for it (the proxies' end-to-end acks resend what is lost anyway)
	"time";
	"version";
	"uptime";
	"posix"; -- daemonizes, writes the pid file
}
-- Loaded by default in 0.12 otherwise. s2s: no federation between servers here (no port either). carbons: copies of
-- an account's messages to its other resources (the replicas a1, a2 of FaultInjectionIT); the proxies never ask for
-- them (XEP-0280 is opt-in per client), off so that no test client does either.
modules_disabled = {
	"s2s";
	"carbons";
}

-- STARTTLS before authentication, on every client connection
c2s_require_encryption = true

-- hashed (SCRAM) storage: SCRAM-SHA-1 and PLAIN over TLS, the mechanisms Smack 4.3 and slixmpp use
authentication = "internal_hashed"
storage = "internal"
allow_registration = false

-- The Debian default (c2s 10 kb/s) throttles a proxy's burst to ~22 messages/s: what a client sends is read no
-- faster than this (nothing is lost, the sender blocks). 10 MB/s is never reached on loopback by these tests.
limits = {
	c2s = {
		rate = "10mb/s";
		burst = "2s";
	};
}

-- The same stanza limit as the ejabberd of the tests (262144 bytes; it is also Prosody's default): the tests rely on it.
c2s_stanza_size_limit = 262144

-- Offline storage (internal archive): 10,000 messages per account, then a message to an absent account bounces.
storage_archive_item_limit = 10000

-- Stream management: up to 10,000 stanzas unacknowledged by a client (the default, 500, ends a resumable session
-- that falls behind in a burst: ejabberd's config has max_ack_queue: infinity for the same reason)
smacks_max_queue_size = 10000

-- info: a line per client connection and disconnection, a useful trace when a test fails; no stanzas
log = {
	info = "/var/log/prosody/prosody.log";
	error = "/var/log/prosody/prosody.err";
}

-- Certificates: /etc/prosody/certs/localhost.crt and localhost.key (found by the host's name)
certificates = "certs"

VirtualHost "localhost"
