package org.senproxy.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Every setting of the proxy, declared once: its key, type, default (or that it is a secret, required, or unset
 * with a meaning of its own), and what it means, in the sections of docs/configuration.md, which is generated from
 * this list (ConfigurationReference, in the tests; SettingsDeclarationTest fails when the file is stale or a key used
 * in Java, routes/ or kamelets/ is missing here). Connectors declare theirs in their own file's header table.
 *
 * <p>Where a default goes depends on its section's {@link Target}: the proxy's own settings ({@code senproxy.*}) are
 * Camel's lowest-priority properties, so that {@code {{senproxy.x}}} in a route resolves without an inline default
 * and application.properties, environment variables and overrides still win; the Camel settings the proxy sets are
 * given to Camel Main (ProxyApplication.CAMEL_DEFAULTS); Camel's own settings the proxy only reads keep Camel's
 * default; environment variables are read before anything else.
 */
public final class SettingsDeclaration {

    /** What a value must look like. */
    public enum Type {
        TEXT("text"),
        INTEGER("whole number"),
        BOOLEAN("true/false"),
        LIST("comma-separated"),
        FILE("file path"),
        URL("URL");

        private final String label;

        Type(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** What a setting is when nothing sets it. */
    public enum Kind {
        /** the declared value */
        DEFAULT,
        /** nothing: the code does without (the declared text says what that means) */
        UNSET,
        /** nothing, never: a secret is set in the environment */
        SECRET,
        /** nothing: the proxy does not start without it */
        REQUIRED
    }

    /** Where a section's defaults go. */
    public enum Target {
        /** the proxy's own settings: defaults are Camel's initial (lowest-priority) properties */
        PLACEHOLDERS,
        /** Camel's settings the proxy gives Camel Main unless set (ProxyApplication.CAMEL_DEFAULTS) */
        CAMEL_MAIN,
        /** Camel's own settings the proxy reads: Camel keeps its own default when they are unset */
        CAMEL_OWN,
        /** environment variables (or -D), read before the settings */
        ENVIRONMENT
    }

    /**
     * One setting.
     *
     * @param value the default ({@link Kind#DEFAULT}), what unset means ({@link Kind#UNSET}), else null
     */
    public record Setting(String key, Type type, Kind kind, String value, String meaning) {

        /** The default value, or null when the setting has none. */
        public String defaultValue() {
            return kind == Kind.DEFAULT ? value : null;
        }

        /** The default column of the reference. */
        public String shownDefault() {
            return switch (kind) {
                case DEFAULT -> value.isEmpty() ? "(empty)" : value;
                case UNSET -> value;
                case SECRET -> "(none, secret)";
                case REQUIRED -> "(none, required)";
            };
        }
    }

    public record Section(String title, Target target, String intro, List<Setting> settings) {}

    private static final List<Section> SECTIONS = List.of(
            section(
                    "XMPP",
                    Target.PLACEHOLDERS,
                    "",
                    required("senproxy.xmpp.jid", Type.TEXT, "this proxy's XMPP address (bare JID)"),
                    secret("senproxy.xmpp.password", "its password"),
                    unset("senproxy.xmpp.host", Type.TEXT, "the JID's domain", "XMPP server host"),
                    value("senproxy.xmpp.port", Type.INTEGER, "5222", "XMPP client port"),
                    value(
                            "senproxy.xmpp.resource",
                            Type.TEXT,
                            "sen-proxy",
                            "XMPP resource; give each replica its own (e.g. the pod name)"),
                    value(
                            "senproxy.xmpp.address-replicas",
                            Type.BOOLEAN,
                            "true",
                            "send each data message to one replica of the receiving proxy online (its full JID, learnt"
                                    + " from presence; the next one when sent again) rather than to its bare JID, which"
                                    + " the server delivers to every replica: each replica would then process every"
                                    + " message"),
                    value(
                            "senproxy.xmpp.replica-run",
                            Type.INTEGER,
                            "50",
                            "consecutive outbox rows sent to the same replica of the receiving proxy before the next"
                                    + " replica's turn: what a replica receives then arrives together and fills its"
                                    + " inbound batches (`senproxy.inbound.batch-size`) as with one replica; 1: each"
                                    + " message to the next replica, so that each replica's batches hold 1/N of the"
                                    + " messages (docs/benchmarks-log.md, receiver replicas)"),
                    value(
                            "senproxy.xmpp.security",
                            Type.TEXT,
                            "required",
                            "TLS: `required`, `ifpossible` or `disabled` (trusted networks only)"),
                    unset(
                            "senproxy.xmpp.truststore",
                            Type.FILE,
                            "(JVM default CAs)",
                            "JKS/PKCS12 trust store for a private CA or self-signed server"),
                    value("senproxy.xmpp.truststore-password", Type.TEXT, "", "its password"),
                    value("senproxy.xmpp.connect-timeout-ms", Type.INTEGER, "5000", "connection timeout"),
                    value(
                            "senproxy.xmpp.reconnect-delay-s",
                            Type.INTEGER,
                            "5",
                            "delay between reconnection attempts when the server is away")),
            section(
                    "Database",
                    Target.PLACEHOLDERS,
                    "",
                    value(
                            "senproxy.db.url",
                            Type.URL,
                            "jdbc:postgresql://localhost:5432/senproxy",
                            "PostgreSQL of this proxy"),
                    value("senproxy.db.user", Type.TEXT, "senproxy", "database user"),
                    secret("senproxy.db.password", "database password (unset: none sent)"),
                    unset(
                            "senproxy.db.schema",
                            Type.TEXT,
                            "senproxy",
                            "the schema of the proxy's own tables, created if missing; the local application's tables"
                                    + " (postgres-sink's `public.measurement`, sql-source's query) stay in theirs."
                                    + " Installed before this setting, with the tables in `public`? Nothing to do:"
                                    + " unset, the proxy finds them there and keeps them (one warning line); `public`"
                                    + " says so"),
                    value("senproxy.db.pool-size", Type.INTEGER, "10", "connections in the pool shared by all routes"),
                    value(
                            "senproxy.db.connect-timeout-ms",
                            Type.INTEGER,
                            "30000",
                            "how long start-up waits for the database")),
            section(
                    "Replicas and connectors",
                    Target.PLACEHOLDERS,
                    "",
                    unset(
                            "senproxy.replica",
                            Type.TEXT,
                            "host name",
                            "name of this process, kept in `claimed_by` of the rows it works on"),
                    value(
                            "senproxy.cluster.checkin-interval-ms",
                            Type.INTEGER,
                            "7500",
                            "replicas of one proxy share the connectors' quartz triggers (each poll runs on one"
                                    + " replica); when the one polling dies, another takes over within about this"
                                    + " long"),
                    unset(
                            "senproxy.connectors",
                            Type.LIST,
                            "(none)",
                            "connectors to run: names of files in `connectors/` without `.camel.yaml`"),
                    value(
                            "senproxy.switch.refresh-ms",
                            Type.INTEGER,
                            "2000",
                            "the kill-switches (`connectors disable`, `peers suspend`, the status page's buttons) are"
                                    + " read from the database this often: every replica obeys a switch within it"),
                    value(
                            "senproxy.readiness.check-ms",
                            Type.INTEGER,
                            "1000",
                            "each replica checks its database this often (the `database` readiness check; no answer"
                                    + " within 2 s counts as a failure). At the first failure the replica tells"
                                    + " its peers it is unavailable (as when it stops; its XMPP session stays up), so"
                                    + " that they send to the other replicas at once instead of after their ack"
                                    + " timeout; 0: not watched"),
                    value(
                            "senproxy.readiness.settle-ms",
                            Type.INTEGER,
                            "5000",
                            "a replica withdrawn for its database is announced to its peers again once the check"
                                    + " has passed for this long without a failure (a flapping database does not"
                                    + " make the peers change replicas at every check)"),
                    unset(
                            "senproxy.home",
                            Type.FILE,
                            "`SENPROXY_HOME`, else the working directory",
                            "the proxy's home folder (routes/, kamelets/, connectors/, transforms/,"
                                    + " application.properties); set by the proxy itself, read by routes as"
                                    + " `{{senproxy.home}}`")),
            section(
                    "Outbox",
                    Target.PLACEHOLDERS,
                    "What this proxy sends, and how it sends it again.",
                    value(
                            "senproxy.outbox.poll-interval-ms",
                            Type.INTEGER,
                            "1000",
                            "how often `outbox-dispatch` looks for due rows anyway (resends, rows of other replicas):"
                                    + " rows this replica appends wake it at once, and a full batch is followed by"
                                    + " the next at once"),
                    value("senproxy.outbox.batch-size", Type.INTEGER, "100", "rows claimed per poll"),
                    value(
                            "senproxy.outbox.window",
                            Type.INTEGER,
                            "200",
                            "messages in flight per recipient (claimed, not yet acknowledged); a peer that falls"
                                    + " behind leaves the rest waiting in the outbox; 0: no bound"),
                    value(
                            "senproxy.outbox.max-records-per-message",
                            Type.INTEGER,
                            "250",
                            "records per XMPP message (keeps stanzas under the server limit)"),
                    value(
                            "senproxy.outbox.lease-ms",
                            Type.INTEGER,
                            "60000",
                            "a claimed row is left alone this long by other replicas"),
                    value(
                            "senproxy.outbox.ack-timeout-ms",
                            Type.INTEGER,
                            "30000",
                            "first wait for the peer's ack before sending again (doubles each time)"),
                    value(
                            "senproxy.outbox.ack-batch-size",
                            Type.INTEGER,
                            "200",
                            "acknowledgements settled in one transaction, at most"),
                    value(
                            "senproxy.outbox.ack-batch-ms",
                            Type.INTEGER,
                            "20",
                            "acknowledgements received within this time are settled together"),
                    value(
                            "senproxy.outbox.ack-batch-threads",
                            Type.INTEGER,
                            "1",
                            "threads that settle them (0: the XMPP listener itself)"),
                    value(
                            "senproxy.outbox.retry-first-ms",
                            Type.INTEGER,
                            "1000",
                            "first wait after a failed write to XMPP (doubles each time)"),
                    value(
                            "senproxy.outbox.max-backoff-ms",
                            Type.INTEGER,
                            "600000",
                            "longest wait between two attempts"),
                    value(
                            "senproxy.outbox.max-attempts",
                            Type.INTEGER,
                            "20",
                            "attempts before a row becomes a dead letter")),
            section(
                    "Inbox",
                    Target.PLACEHOLDERS,
                    "What this proxy received, delivered to the local sink.",
                    value(
                            "senproxy.inbox.poll-interval-ms",
                            Type.INTEGER,
                            "2000",
                            "how often `inbox-delivery` looks for rows to (re)deliver"),
                    value("senproxy.inbox.batch-size", Type.INTEGER, "100", "rows claimed per poll"),
                    value("senproxy.inbox.lease-ms", Type.INTEGER, "60000", "a claimed row is left alone this long"),
                    value(
                            "senproxy.inbox.retry-first-ms",
                            Type.INTEGER,
                            "1000",
                            "first wait after a failed delivery (doubles each time)"),
                    value(
                            "senproxy.inbox.max-backoff-ms",
                            Type.INTEGER,
                            "600000",
                            "longest wait between two deliveries"),
                    value(
                            "senproxy.inbox.max-attempts",
                            Type.INTEGER,
                            "20",
                            "deliveries tried before a row becomes a dead letter"),
                    value(
                            "senproxy.inbox.sink",
                            Type.TEXT,
                            "postgres-sink",
                            "the sink connector (`direct:<name>`) that receives inbound data")),
            section(
                    "Sources",
                    Target.PLACEHOLDERS,
                    "",
                    value(
                            "senproxy.source.retries",
                            Type.INTEGER,
                            "3",
                            "a failed step of a source poll is tried again this many times before the poll is given"
                                    + " up"),
                    value(
                            "senproxy.source.retry-first-ms",
                            Type.INTEGER,
                            "1000",
                            "first wait before trying again (doubles each time)"),
                    value("senproxy.source.max-backoff-ms", Type.INTEGER, "30000", "longest wait between two tries"),
                    value(
                            "senproxy.source.gather-size",
                            Type.INTEGER,
                            "50",
                            "messages of a subscribed source (MQTT) written to the outbox in one transaction, at"
                                    + " most; each is acknowledged to its broker once that transaction committed"
                                    + " (routes/source-gather.camel.yaml)"),
                    value(
                            "senproxy.source.gather-ms",
                            Type.INTEGER,
                            "20",
                            "messages arriving within this time are gathered"),
                    value(
                            "senproxy.source.gather-threads",
                            Type.INTEGER,
                            "1",
                            "threads that write the gathered batches; when all are busy, the connector's own thread"
                                    + " writes the next (back-pressure); 0: always the connector's thread")),
            section(
                    "Receiving",
                    Target.PLACEHOLDERS,
                    "Messages from other proxies (routes/federation-inbound.camel.yaml).",
                    value(
                            "senproxy.inbound.max-data-chars",
                            Type.INTEGER,
                            "262144",
                            "a received message whose data element is larger (characters of XML) is refused before"
                                    + " its SenML is read"),
                    value(
                            "senproxy.inbound.batch-size",
                            Type.INTEGER,
                            "50",
                            "received messages (checked and accepted) stored in one transaction, acknowledged after"
                                    + " it, and delivered to the sink in one call, at most"),
                    value(
                            "senproxy.inbound.batch-ms",
                            Type.INTEGER,
                            "20",
                            "messages accepted within this time go into one batch"),
                    value(
                            "senproxy.inbound.batch-threads",
                            Type.INTEGER,
                            "2",
                            "threads that store and deliver the batches; when all are busy, the XMPP listener stores"
                                    + " the next batch itself (back-pressure, not a queue in memory); 0: always the"
                                    + " listener"),
                    value(
                            "senproxy.inbound.lookup-cache-ms",
                            Type.INTEGER,
                            "5000",
                            "the sender's app, its public keys and the subscription, read for each received message,"
                                    + " are remembered this long: a key or subscription changed by the command line"
                                    + " (or another replica) counts within this time; a lookup that finds nothing is"
                                    + " never remembered")),
            section(
                    "Retention",
                    Target.PLACEHOLDERS,
                    "",
                    value(
                            "senproxy.retention.interval-ms",
                            Type.INTEGER,
                            "3600000",
                            "how often `retention` deletes finished rows (and once shortly after start-up)"),
                    value(
                            "senproxy.retention.done-days",
                            Type.INTEGER,
                            "7",
                            "acknowledged outbox rows and delivered inbox rows are deleted this many days after they"
                                    + " finished (settled control messages this many days after they were written); keep it longer than the peers' `senproxy.outbox.max-attempts` x"
                                    + " `max-backoff-ms` (see design notes)"),
                    value(
                            "senproxy.retention.keys-days",
                            Type.INTEGER,
                            "35",
                            "source record keys (`source_record`) are forgotten once their record's day (UTC) ended"
                                    + " and they were taken more than this many days ago (a day's keys go at once, its"
                                    + " partition dropped); keep it longer than any source's re-read window"),
                    value(
                            "senproxy.retention.dead-letter-days",
                            Type.INTEGER,
                            "90",
                            "replayed dead letters are deleted this many days after their replay (open ones never);"
                                    + " dead control messages this many days after they were written"),
                    value(
                            "senproxy.retention.batch-size",
                            Type.INTEGER,
                            "10000",
                            "rows deleted per statement; a run repeats statements until done")),
            section(
                    "Audit trail",
                    Target.PLACEHOLDERS,
                    "",
                    value(
                            "senproxy.audit.retention-days",
                            Type.INTEGER,
                            "0",
                            "audit entries older than this are removed, oldest first, every"
                                    + " `senproxy.audit.retention-interval-ms`, under a checkpoint signed by the"
                                    + " proxy's key: needs `senproxy.signing.key-file` (start-up fails without it);"
                                    + " the chain stays verifiable from the last one removed; 0: kept for ever"),
                    value(
                            "senproxy.audit.retention-interval-ms",
                            Type.INTEGER,
                            "86400000",
                            "how often old audit entries are removed (once a day)"),
                    value(
                            "senproxy.audit.checkpoint-interval-ms",
                            Type.INTEGER,
                            "3600000",
                            "how often the proxy appends a checkpoint of the audit trail signed by its key"
                                    + " (`senproxy.signing.key-file`; none without it), when entries came since the"
                                    + " last one"),
                    unset(
                            "senproxy.audit.trusted-key-files",
                            Type.LIST,
                            "(none)",
                            "the proxy's earlier public keys (JWK files, comma separated) whose checkpoints `audit"
                                    + " verify` and the retention still accept after `senproxy.signing.key-file` was"
                                    + " rotated")),
            section(
                    "Heartbeat and alarms",
                    Target.PLACEHOLDERS,
                    "",
                    unset(
                            "senproxy.heartbeat.jid",
                            Type.TEXT,
                            "(none: no heartbeat, alarms only logged)",
                            "the monitoring JID: heartbeat and alarm changes go there as SenML (see Catalogue,"
                                    + " heartbeat and alarms); a monitoring client, not another proxy"),
                    value(
                            "senproxy.heartbeat.interval-ms",
                            Type.INTEGER,
                            "60000",
                            "time between two heartbeats (each replica sends its own; none while the XMPP session is"
                                    + " down)"),
                    value(
                            "senproxy.alarms.stale-periods",
                            Type.INTEGER,
                            "3",
                            "a connector that enters nothing new for this many of its periods (declared, or its poll"
                                    + " interval) raises its stale alarm"),
                    value(
                            "senproxy.alarms.check-interval-ms",
                            Type.INTEGER,
                            "30000",
                            "how often `staleness-watch` checks the connectors"),
                    value(
                            "senproxy.alarms.notify-interval-ms",
                            Type.INTEGER,
                            "5000",
                            "how often `alarm-notify` sends the alarm changes waiting (raised, cleared) to the"
                                    + " monitoring JID")),
            section(
                    "Status page, admin actions and tracing",
                    Target.PLACEHOLDERS,
                    "",
                    value(
                            "senproxy.status.chart-step-ms",
                            Type.INTEGER,
                            "10000",
                            "how often the status page's chart samples the flow"),
                    value(
                            "senproxy.status.chart-minutes",
                            Type.INTEGER,
                            "15",
                            "how much of it the chart keeps (in memory)"),
                    secret(
                            "senproxy.admin.token",
                            "bearer token of the admin actions (replay, tracing), which also reads `/status.json`;"
                                    + " unset: admin actions are refused"),
                    secret(
                            "senproxy.admin.read-token",
                            "bearer token that reads `/status.json` and cannot act. With neither token set,"
                                    + " `/status.json` is open to whoever reaches the port (a WARN at start-up says"
                                    + " so)"),
                    unset(
                            "senproxy.tracing.otlp-endpoint",
                            Type.URL,
                            "(none: off)",
                            "OpenTelemetry collector's OTLP/HTTP URL (e.g. `http://otel-collector:4318`): spans of"
                                    + " every route (camel-opentelemetry2) are exported there"),
                    value(
                            "senproxy.tracing.service-name",
                            Type.TEXT,
                            "sen-proxy",
                            "`service.name` of the spans (`service.instance.id` is `senproxy.replica`)")),
            section(
                    "Signing, consent and credentials",
                    Target.PLACEHOLDERS,
                    "",
                    unset(
                            "senproxy.signing.key-file",
                            Type.FILE,
                            "(none: unsigned)",
                            "this proxy's private key (EC P-256 JWK, from `keys generate`; mount it from a Secret):"
                                    + " every data message is signed with it (JWS ES256)"),
                    value(
                            "senproxy.signing.required",
                            Type.BOOLEAN,
                            "true",
                            "messages from an app without a registered key are refused too; `false` lets such apps"
                                    + " send unsigned while a federation moves to signing one app at a time (an app"
                                    + " that ever had a key must always sign, even once all its keys expired)"),
                    value(
                            "senproxy.signing.max-age-s",
                            Type.INTEGER,
                            "600",
                            "a signature (data or control message) issued longer ago than this (or more than 60 s ahead) is"
                                    + " refused, so an old"
                                    + " message cannot be replayed"),
                    value(
                            "senproxy.consent.required",
                            Type.BOOLEAN,
                            "true",
                            "a consumer sends only under a consent in force, and a received message must name a"
                                    + " consent this proxy holds a subscription for; `false` lets consumers without"
                                    + " a consent send and messages naming none in (a consent named is still"
                                    + " checked)"),
                    secret(
                            "senproxy.credentials.keys",
                            "keys that encrypt users' credentials of local applications (`user_app`) at rest: `<key"
                                    + " id>:<32 bytes in base64>`, comma-separated, the current key first (`openssl"
                                    + " rand -base64 32`); unset: the proxy runs and any use of credentials fails"
                                    + " saying so"),
                    unset(
                            "senproxy.credentials.keys-file",
                            Type.FILE,
                            "(none)",
                            "a file holding that list instead (a mounted Secret); setting both is an error")),
            section(
                    "Control channel and enrollment",
                    Target.PLACEHOLDERS,
                    "Control messages (issue 20: `peers invite`, `peers join`; [federation.md](federation.md)) travel"
                            + " on the data's XMPP session, from table `control_message`, each sent again until its"
                            + " peer acknowledges it.",
                    value(
                            "senproxy.control.poll-interval-ms",
                            Type.INTEGER,
                            "1000",
                            "how often `control-dispatch` sends the control messages due, and `control-upkeep` switches"
                                    + " a key rotation its peers acknowledged and adds the sources that consents granted"
                                    + " on request cover (a few small queries per replica)"),
                    value(
                            "senproxy.control.retry-ms",
                            Type.INTEGER,
                            "5000",
                            "a control message without an acknowledgement is sent again after this, doubling at"
                                    + " each attempt (up to 64 times this)"),
                    value(
                            "senproxy.control.max-attempts",
                            Type.INTEGER,
                            "20",
                            "after this many attempts without an acknowledgement a control message is dead (status"
                                    + " `dead`, reason, audited `control.dead`)"),
                    value(
                            "senproxy.enrollment.max-requests-per-hour",
                            Type.INTEGER,
                            "10",
                            "enrollment requests from one address beyond this within an hour are refused unread"
                                    + " (metric `senproxy.enrollment.rate-limited`, audited once an hour per address)")),
            section(
                    "Quoalise",
                    Target.PLACEHOLDERS,
                    "",
                    value(
                            "senproxy.quoalise.max-stanza-chars",
                            Type.INTEGER,
                            "32768",
                            "a Quoalise `get_history` answer larger than this is cut: the command's result holds the"
                                    + " first part, messages to the requester carry the rest"),
                    value(
                            "senproxy.quoalise.max-history-records",
                            Type.INTEGER,
                            "100000",
                            "the most records one `get_history` answers (the answer's note says when later ones"
                                    + " were left out)"),
                    value(
                            "senproxy.quoalise.default-history-hours",
                            Type.INTEGER,
                            "24",
                            "what `get_history` answers without `start_time` and `end_time`: that many hours up to"
                                    + " now (a start alone: up to now; an end alone: that many hours before it)")),
            section(
                    "Log files",
                    Target.PLACEHOLDERS,
                    "By default a proxy logs to standard output only (see operations.md, \"Where the lines go\").",
                    unset(
                            "senproxy.log.file",
                            Type.FILE,
                            "(none: standard output only)",
                            "the log file, e.g. `/var/log/sen-proxy/proxy.log`; it rolls every day and at `max-size`,"
                                    + " the rolled files are gzipped beside it (`proxy.log.2026-12-06.0.gz`)"),
                    value("senproxy.log.max-size", Type.TEXT, "50MB", "size at which the file rolls"),
                    value("senproxy.log.max-history", Type.INTEGER, "7", "days of rolled files kept"),
                    value(
                            "senproxy.log.total-cap",
                            Type.TEXT,
                            "1GB",
                            "the rolled files never take more than this: the oldest go first"),
                    value("senproxy.log.stdout", Type.BOOLEAN, "false", "with a file, also write to standard output"),
                    unset(
                            "senproxy.log.error-file",
                            Type.FILE,
                            "(none)",
                            "a second file of ERROR lines only, rolled the same way, so errors outlive the INFO lines"
                                    + " around them"),
                    value("senproxy.log.error-max-history", Type.INTEGER, "90", "days of rolled error files kept"),
                    value(
                            "senproxy.log.error-total-cap",
                            Type.TEXT,
                            "1GB",
                            "the rolled error files never take more than this")),
            section(
                    "Camel settings the proxy sets",
                    Target.CAMEL_MAIN,
                    "Camel Main's own settings, which the proxy gives these values unless they are set (like any"
                            + " other setting: `camel.management.port=9877`, or `CAMEL_MANAGEMENT_PORT`).",
                    value(
                            "camel.management.enabled",
                            Type.BOOLEAN,
                            "true",
                            "the management HTTP server (metrics, health); `false` turns it off"),
                    value(
                            "camel.management.port",
                            Type.INTEGER,
                            "9876",
                            "port of the management HTTP server (`/observe/metrics`, `/observe/health`)"),
                    value(
                            "camel.management.host",
                            Type.TEXT,
                            "127.0.0.1",
                            "address it listens on (the Kubernetes manifests say 0.0.0.0)"),
                    value(
                            "camel.management.metricsEnabled",
                            Type.BOOLEAN,
                            "true",
                            "Prometheus metrics at `/observe/metrics`"),
                    value(
                            "camel.management.healthCheckEnabled",
                            Type.BOOLEAN,
                            "true",
                            "health at `/observe/health` (`/live`, `/ready`)"),
                    value("camel.health.enabled", Type.BOOLEAN, "true", "Camel's health checks"),
                    value("camel.metrics.enabled", Type.BOOLEAN, "true", "Camel's Micrometer metrics"),
                    value(
                            "camel.metrics.binders",
                            Type.LIST,
                            "jvm-memory,jvm-gc,jvm-thread,processor,file-descriptor",
                            "the JVM's meters"),
                    value(
                            "camel.metrics.enableExchangeEventNotifier",
                            Type.BOOLEAN,
                            "false",
                            "per-endpoint timers; off: per-route figures come from the route policy, and the"
                                    + " notifier cost 5-8% of a proxy's CPU under load (docs/benchmarks-log.md, run 6)"),
                    value(
                            "camel.mdc.enabled",
                            Type.BOOLEAN,
                            "true",
                            "the correlation id of the batch an exchange carries in the MDC of every line it logs"),
                    value("camel.mdc.customHeaders", Type.LIST, "SenproxyCorrelation", "the headers put in the MDC"),
                    value(
                            "camel.server.enabled",
                            Type.BOOLEAN,
                            "true",
                            "the HTTP server of the status page and admin actions (routes/status-page.camel.yaml)"),
                    value("camel.server.port", Type.INTEGER, "8080", "port of the status page and admin actions"),
                    value(
                            "camel.server.host",
                            Type.TEXT,
                            "127.0.0.1",
                            "address it listens on (the Kubernetes manifests say 0.0.0.0): the status page names"
                                    + " series and failures"),
                    value(
                            "camel.main.tracingStandby",
                            Type.BOOLEAN,
                            "true",
                            "Camel's tracer installed but off: the admin action turns it on for one route at run"
                                    + " time"),
                    value(
                            "camel.main.tracingTemplates",
                            Type.BOOLEAN,
                            "true",
                            "the tracer traces routes made from a route template (the polled connectors, the status"
                                    + " page's endpoints) too: Camel skips them otherwise, and tracing such a route"
                                    + " would show nothing"),
                    value(
                            "camel.routecontroller.enabled",
                            Type.BOOLEAN,
                            "true",
                            "the supervising route controller: a connector's route that fails to start (its system"
                                    + " is down, an MQTT broker away) does not stop the proxy; it is started again"
                                    + " with back-off for as long as it takes, and shown meanwhile on the status page"
                                    + " (\"not started\"). The first start of every route is still made before the"
                                    + " proxy reports started"),
                    value(
                            "camel.routecontroller.includeRoutes",
                            Type.LIST,
                            ".*-source,.*-source-poll,.*-sink",
                            "the routes it supervises: the connectors' (regular expressions; Camel reads a `*` only at"
                                    + " the end of a pattern). One of the proxy's own routes that cannot start still"
                                    + " stops the proxy, as a mistake to fix, not to wait out"),
                    value(
                            "camel.routecontroller.backOffDelay",
                            Type.INTEGER,
                            "2000",
                            "milliseconds before a connector's route is started again the first time"),
                    value(
                            "camel.routecontroller.backOffMultiplier",
                            Type.INTEGER,
                            "2",
                            "each later attempt waits this many times longer than the one before"),
                    value(
                            "camel.routecontroller.backOffMaxDelay",
                            Type.INTEGER,
                            "60000",
                            "milliseconds between two attempts at the most (backOffMaxAttempts unset: no end)"),
                    value(
                            "camel.routecontroller.unhealthyOnRestarting",
                            Type.BOOLEAN,
                            "false",
                            "a connector waiting for its system leaves the proxy ready (the others run, as when a"
                                    + " connector is left out for a missing setting)"),
                    value(
                            "camel.routecontroller.unhealthyOnExhausted",
                            Type.BOOLEAN,
                            "true",
                            "a connector given up (backOffMaxAttempts reached) makes the proxy unready"),
                    value(
                            "camel.main.additionalSensitiveKeywords",
                            Type.LIST,
                            "keys,readtoken,url",
                            "where Camel logs settings, it masks the values of keys whose last part is a known secret"
                                    + " word (password, token...) or one of these: the proxy's own secrets"
                                    + " (`senproxy.credentials.keys`, `senproxy.admin.read-token`) and URLs, which"
                                    + " may carry a password")),
            section(
                    "Camel settings the proxy reads",
                    Target.CAMEL_OWN,
                    "Camel's own settings; the proxy does not set them, so unset, Camel's component keeps its own"
                            + " default. The default here is the one the shipped `application.properties` sets, and"
                            + " the one the proxy's own code assumes when unset.",
                    value(
                            "camel.component.http.connect-timeout",
                            Type.INTEGER,
                            "5000",
                            "HTTP connection timeout (ms) of polling connectors; OAuth2 token requests use it too"),
                    value(
                            "camel.component.http.response-timeout",
                            Type.INTEGER,
                            "10000",
                            "HTTP response timeout (ms) of polling connectors")),
            section(
                    "Environment only",
                    Target.ENVIRONMENT,
                    "Environment variables (or `-D` system properties) read before the settings.",
                    unset(
                            "SENPROXY_HOME",
                            Type.FILE,
                            "the working directory",
                            "the proxy's home folder (it holds `application.properties`, routes/, connectors/...)"),
                    value(
                            "SENPROXY_LOG_FORMAT",
                            Type.TEXT,
                            "text",
                            "`json`: one JSON object per line (`timestamp`, `level`, `loggerName`, `mdc`,"
                                    + " `formattedMessage`), for Loki or ELK"),
                    value(
                            "SENPROXY_LOG_FLOW",
                            Type.TEXT,
                            "INFO",
                            "`DEBUG`: a line per hop of every message (logger `senproxy.flow`: appended, sending,"
                                    + " stored, acknowledged, delivered)"),
                    secret(
                            "SENPROXY_DB_URL_PASSWORD",
                            "the password the commands send to a `--db-url` on another server than"
                                    + " `senproxy.db.url` (never `senproxy.db.password`)"),
                    secret(
                            "SENPROXY_PEER_DB_PASSWORD",
                            "`trace`: the password of the peer's database (`--peer-db-url`, `--peer-db-user`)")));

    private static final Map<String, Setting> BY_KEY;
    private static final Map<String, Section> SECTION_OF;

    static {
        Map<String, Setting> byKey = new LinkedHashMap<>();
        Map<String, Section> sectionOf = new LinkedHashMap<>();
        for (Section section : SECTIONS) {
            for (Setting setting : section.settings()) {
                if (byKey.put(setting.key(), setting) != null) {
                    throw new IllegalStateException("Setting " + setting.key() + " is declared twice");
                }
                sectionOf.put(setting.key(), section);
            }
        }
        BY_KEY = Collections.unmodifiableMap(byKey);
        SECTION_OF = Collections.unmodifiableMap(sectionOf);
    }

    private SettingsDeclaration() {}

    public static List<Section> sections() {
        return SECTIONS;
    }

    public static boolean isDeclared(String key) {
        return BY_KEY.containsKey(key);
    }

    /** The declaration of {@code key}; a key that is not declared is a mistake in the code that reads it. */
    public static Setting setting(String key) {
        Setting setting = BY_KEY.get(key);
        if (setting == null) {
            throw new IllegalArgumentException("Setting " + key + " is not declared in SettingsDeclaration");
        }
        return setting;
    }

    public static Target target(String key) {
        setting(key);
        return SECTION_OF.get(key).target();
    }

    /** The defaults of the proxy's own settings, as Camel's initial (lowest-priority) properties. */
    public static Properties placeholderDefaults() {
        Properties properties = new Properties();
        defaults(Target.PLACEHOLDERS).forEach(properties::setProperty);
        return properties;
    }

    /** The Camel settings the proxy gives Camel Main unless set, with their values. */
    public static Map<String, String> camelDefaults() {
        return Collections.unmodifiableMap(defaults(Target.CAMEL_MAIN));
    }

    private static Map<String, String> defaults(Target target) {
        Map<String, String> defaults = new LinkedHashMap<>();
        for (Section section : SECTIONS) {
            if (section.target() == target) {
                for (Setting setting : section.settings()) {
                    if (setting.kind() == Kind.DEFAULT) {
                        defaults.put(setting.key(), setting.value());
                    }
                }
            }
        }
        return defaults;
    }

    /** An environment-only setting: the -D system property, else the environment variable, else its default. */
    public static String environment(String name) {
        if (target(name) != Target.ENVIRONMENT) {
            throw new IllegalArgumentException(name + " is a setting, not an environment variable: read it as one");
        }
        String value = System.getProperty(name, System.getenv(name));
        return value != null ? value : setting(name).defaultValue();
    }

    private static Section section(String title, Target target, String intro, Setting... settings) {
        return new Section(title, target, intro, List.copyOf(new ArrayList<>(Arrays.asList(settings))));
    }

    private static Setting value(String key, Type type, String value, String meaning) {
        return new Setting(key, type, Kind.DEFAULT, value, meaning);
    }

    private static Setting unset(String key, Type type, String whatUnsetMeans, String meaning) {
        return new Setting(key, type, Kind.UNSET, whatUnsetMeans, meaning);
    }

    private static Setting secret(String key, String meaning) {
        return new Setting(key, Type.TEXT, Kind.SECRET, null, meaning);
    }

    private static Setting required(String key, Type type, String meaning) {
        return new Setting(key, type, Kind.REQUIRED, null, meaning);
    }
}
