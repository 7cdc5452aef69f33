package org.senproxy.observe;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.apache.camel.spi.SupervisingRouteController;
import org.apache.camel.spi.Tracer;
import org.apache.camel.util.backoff.BackOffTimer;
import org.senproxy.audit.AuditEvent;
import org.senproxy.audit.AuditTrail;
import org.senproxy.consent.Subscriptions;
import org.senproxy.delivery.DeadLetters;
import org.senproxy.delivery.Reasons;
import org.senproxy.switches.Switches;

/**
 * The proxy's status page and its admin actions, served by Camel Main's HTTP server (routes/status-page.camel.yaml):
 * <ul>
 * <li>{@code GET /status}: the page, one static HTML file with no data in it (the same for everyone, as in the
 * jar), so that a browser can open it: a browser sends no bearer token when it opens a URL. The page asks for a token
 * and sends it with each request it makes;</li>
 * <li>{@code GET /status.json}: what the page shows: connectors and their freshness, connectors' routes not started
 * because their system is down (retried by the supervising route controller), queue depths, open dead letters,
 * recent poll failures (the proxy's alarms), the XMPP session, the last minutes of the flow for the chart
 * ({@link FlowHistory}). Needs the read token or the admin token;</li>
 * <li>{@code POST /admin/dead-letters/{id}/replay} and {@code POST /admin/trace/{routeId}?enabled=true|false[&bodies=
 * minutes]}: need the admin token;</li>
 * <li>{@code POST /admin/connectors/{name}/disable|enable} and {@code POST /admin/peers/{name}/suspend|resume}, the
 * kill-switch ({@link Switches}), the reason in the body (text, or JSON {@code {"reason": "..."}}; required to turn
 * off): need the admin token; audited with the actor {@code admin token}.</li>
 * </ul>
 * Tokens come in {@code Authorization: Bearer <token>}, the HTTP header itself (a query parameter of the same name is
 * not read: URLs end up in logs). No token or a wrong one: 401, the same answer for both; a read token where the
 * admin one is needed: 403. Who may do what, and the behaviour without any token configured: {@link StatusAccess}.
 */
public class StatusPage {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Subscriptions listed, newest first, at most. */
    private static final int MAX_SUBSCRIPTIONS = 50;

    private final String jid;
    private final ConnectorMetrics sources;
    private final QueueMetrics queues;
    private final DeadLetters deadLetters;
    private final BooleanSupplier xmppOnline;
    private final StatusAccess access;
    private final CamelContext context;
    private final Clock clock;
    private final Instant started;
    private final AuditTrail audit;
    private final TraceFormat traceFormat;
    private final FlowHistory flow;
    private volatile Switches switches;
    private volatile Subscriptions subscriptions;

    public StatusPage(
            String jid,
            ConnectorMetrics sources,
            QueueMetrics queues,
            DeadLetters deadLetters,
            BooleanSupplier xmppOnline,
            StatusAccess access,
            CamelContext context,
            Clock clock,
            AuditTrail audit,
            FlowHistory flow) {
        this.audit = audit;
        this.flow = flow;
        this.traceFormat = new TraceFormat(clock);
        this.jid = jid;
        this.sources = sources;
        this.queues = queues;
        this.deadLetters = deadLetters;
        this.xmppOnline = xmppOnline;
        this.access = access;
        this.context = context;
        this.clock = clock;
        this.started = clock.instant();
    }

    /** This proxy's subscriptions to its peers' data, listed in status.json with why each one ended. */
    public StatusPage showSubscriptions(Subscriptions subscriptions) {
        this.subscriptions = subscriptions;
        return this;
    }

    /** The kill-switch, listed in status.json and switched by the admin actions. */
    public void showSwitches(Switches switches) {
        this.switches = switches;
    }

    /** The page itself. */
    public String html() {
        try (InputStream in = StatusPage.class.getResourceAsStream("/status/index.html")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the page shows, as JSON (read or admin token). */
    public String json(Exchange exchange) throws SQLException, IOException {
        if (role(exchange) == StatusAccess.Role.NONE) {
            return unauthorized(exchange);
        }
        Instant now = clock.instant();
        ObjectNode status = JSON.createObjectNode();
        status.put("proxy", jid);
        status.put("now", now.toString());
        status.put("uptimeSeconds", Duration.between(started, now).toSeconds());
        status.put("xmppConnected", xmppOnline.getAsBoolean());
        ArrayNode connectors = status.putArray("connectors");
        for (ConnectorMetrics.Connector c : sources.connectors()) {
            ObjectNode node = connectors
                    .addObject()
                    .put("name", c.name())
                    .put("polls", (long) c.polls())
                    .put("failures", (long) c.failures())
                    .put("records", (long) c.records())
                    .put("waitingForConsumer", c.waitingForConsumer())
                    .put("heldRecords", (long) c.held());
            if (c.lastSuccess() != null) {
                node.put("lastSuccess", c.lastSuccess().toString())
                        .put(
                                "ageSeconds",
                                Duration.between(c.lastSuccess(), now).toSeconds());
            }
        }
        notStarted(status.putArray("notStarted"), now);
        ObjectNode withheld = status.putObject("withheldOutsideDataPeriod");
        sources.withheldByPath().forEach((path, n) -> withheld.put(path, n.longValue()));
        ObjectNode queue = status.putObject("queues");
        queue.putObject("outbox")
                .put("pending", queues.count("outbox", "pending"))
                .put("sent", queues.count("outbox", "sent"))
                .put("dead", queues.count("outbox", "dead"));
        queue.putObject("inbox")
                .put("pending", queues.count("inbox", "pending"))
                .put("dead", queues.count("inbox", "dead"));
        ArrayNode letters = status.putArray("deadLetters");
        for (DeadLetters.Listed l : deadLetters.list(50, false)) {
            letters.addObject()
                    .put("id", l.id())
                    .put("origin", l.origin())
                    .put("messageId", l.messageId())
                    .put("correlationId", l.correlationId())
                    .put("route", l.routeId())
                    .put("peer", l.peerJid())
                    .put("reason", l.reason())
                    .put("attempts", l.attempts())
                    .put("at", l.createdAt().toString())
                    .put("replayable", !"inbound".equals(l.origin()));
        }
        ArrayNode alarms = status.putArray("alarms");
        for (ConnectorMetrics.Failure f : sources.recentFailures()) {
            alarms.addObject()
                    .put("at", f.at().toString())
                    .put("connector", f.connector())
                    .put("reason", f.reason());
        }
        ArrayNode switched = status.putArray("switches");
        if (switches != null) {
            for (Switches.Switch sw : switches.all()) {
                ObjectNode node = switched.addObject()
                        .put("kind", sw.kind())
                        .put("name", sw.name())
                        .put("enabled", sw.enabled())
                        .put("state", sw.state());
                if (sw.changedAt() != null) {
                    node.put("reason", sw.reason())
                            .put("by", sw.changedBy())
                            .put("at", sw.changedAt().toString());
                }
            }
        }
        ArrayNode subscribed = status.putArray("subscriptions");
        if (subscriptions != null) {
            for (Subscriptions.Held h : subscriptions.list(MAX_SUBSCRIPTIONS)) {
                ObjectNode node = subscribed
                        .addObject()
                        .put("app", h.app())
                        .put("consent", h.consentRef())
                        .put("scope", h.scope())
                        .put("active", h.active())
                        .put("since", h.createdAt().toString());
                if (h.endedAt() != null) {
                    node.put("endedAt", h.endedAt().toString()).put("reason", h.endReason());
                }
            }
        }
        status.set("chart", flow.json());
        return JSON.writeValueAsString(status);
    }

    /**
     * The connectors' routes that are not running because they failed to start (their system is down) and that Camel's
     * supervising route controller is starting again with back-off ({@code retrying}: attempts so far, the next
     * attempt, the last cause), or gave up on ({@code given up}, after camel.routecontroller.backOffMaxAttempts).
     */
    void notStarted(ArrayNode list, Instant now) {
        if (!context.getRouteController().isSupervising()) {
            return;
        }
        SupervisingRouteController supervisor = context.getRouteController().adapt(SupervisingRouteController.class);
        for (Route route : supervisor.getRestartingRoutes()) {
            ObjectNode node = list.addObject().put("route", route.getId()).put("state", "retrying");
            BackOffTimer.Task task = supervisor.getRestartingRouteState(route.getId());
            if (task != null) {
                node.put("attempts", task.getCurrentAttempts());
                if (task.getNextAttemptTime() > 0) {
                    Instant next = Instant.ofEpochMilli(task.getNextAttemptTime());
                    node.put("nextAttempt", next.toString())
                            .put(
                                    "nextAttemptInSeconds",
                                    Math.max(0, Duration.between(now, next).toSeconds()));
                }
            }
            node.put("reason", Reasons.of(supervisor.getRestartException(route.getId())));
        }
        for (Route route : supervisor.getExhaustedRoutes()) {
            list.addObject()
                    .put("route", route.getId())
                    .put("state", "given up")
                    .put("reason", Reasons.of(supervisor.getRestartException(route.getId())));
        }
    }

    /** Replays one dead letter (admin). */
    public String replay(Exchange exchange) throws SQLException {
        String refused = refusedUnlessAdmin(exchange);
        if (refused != null) {
            return refused;
        }
        long id;
        try {
            id = Long.parseLong(exchange.getMessage().getHeader("id", String.class));
        } catch (NumberFormatException e) {
            return answer(exchange, 400, "not a dead letter id");
        }
        DeadLetters.Replay outcome = deadLetters.replay(id);
        return switch (outcome) {
            case REPLAYED -> answer(exchange, 200, "dead letter " + id + " replayed: its row is queued again");
            case ALREADY_REPLAYED -> answer(exchange, 409, "dead letter " + id + " was replayed before");
            case NOT_REPLAYABLE ->
                answer(
                        exchange,
                        409,
                        "dead letter " + id + " is an inbound message that was"
                                + " refused: it has no row to replay; its sender must send it again");
            case NOT_FOUND -> answer(exchange, 404, "no dead letter " + id);
        };
    }

    /** The actor of the admin actions in the audit trail: the token is shared, so it names no person. */
    static final String ADMIN_ACTOR = "admin token";

    /**
     * Disables or enables a connector (admin): {@code POST /admin/connectors/{name}/disable|enable}, the reason in the
     * body; every replica obeys within {@code senproxy.switch.refresh-ms}.
     */
    public String switchConnector(Exchange exchange) throws SQLException {
        return switchOne(exchange, Switches.CONNECTOR, "disable", "enable");
    }

    /** Suspends or resumes a peer app (admin): {@code POST /admin/peers/{name}/suspend|resume}, the reason in the body. */
    public String switchPeer(Exchange exchange) throws SQLException {
        return switchOne(exchange, Switches.PEER, "suspend", "resume");
    }

    private String switchOne(Exchange exchange, String kind, String off, String on) throws SQLException {
        String refused = refusedUnlessAdmin(exchange);
        if (refused != null) {
            return refused;
        }
        if (switches == null) {
            return answer(exchange, 503, "the kill-switch is not available on this proxy");
        }
        String name = exchange.getMessage().getHeader("name", String.class);
        String action = exchange.getMessage().getHeader("action", String.class);
        if (!off.equals(action) && !on.equals(action)) {
            return answer(exchange, 404, "no action " + action + ": " + off + " or " + on);
        }
        try {
            Switches.Change change = switches.set(kind, name, on.equals(action), reason(exchange), ADMIN_ACTOR);
            return answer(
                    exchange,
                    200,
                    kind + " " + name + " " + change.now().state() + (change.changed() ? "" : " (it was already)"));
        } catch (IllegalArgumentException e) {
            return answer(exchange, e.getMessage().startsWith("no ") ? 404 : 400, e.getMessage());
        }
    }

    /** The reason in a request's body: plain text, or a JSON object's {@code reason}. */
    private static String reason(Exchange exchange) {
        String body = exchange.getMessage().getBody(String.class);
        if (body == null || body.isBlank()) {
            return null;
        }
        String text = body.strip();
        if (text.startsWith("{")) {
            try {
                return JSON.readTree(text).path("reason").asText(null);
            } catch (IOException e) {
                return null;
            }
        }
        return text.length() > 500 ? text.substring(0, 500) : text;
    }

    /** The longest time an admin may have message bodies traced at once. */
    static final Duration MAX_BODY_TRACING = Duration.ofMinutes(60);

    /**
     * Turns Camel's message tracing on or off for one route (admin), without a restart. The trace shows headers and
     * each body's type and size ({@link TraceFormat}); with {@code bodies=N} (minutes, at most 60) it shows bodies too,
     * for that long, and the switch is audited ({@code trace.bodies}): bodies are data owners' data.
     */
    public String trace(Exchange exchange) throws SQLException {
        String refused = refusedUnlessAdmin(exchange);
        if (refused != null) {
            return refused;
        }
        String routeId = exchange.getMessage().getHeader("routeId", String.class);
        if (context.getRoute(routeId) == null) {
            return answer(exchange, 404, "no route " + routeId);
        }
        boolean enabled = !"false".equalsIgnoreCase(exchange.getMessage().getHeader("enabled", "true", String.class));
        String bodies = exchange.getMessage().getHeader("bodies", String.class);
        long minutes = 0;
        if (enabled && bodies != null) {
            try {
                minutes = Long.parseLong(bodies);
            } catch (NumberFormatException e) {
                minutes = -1;
            }
            if (minutes < 1 || minutes > MAX_BODY_TRACING.toMinutes()) {
                return answer(exchange, 400, "bodies is a number of minutes, 1 to " + MAX_BODY_TRACING.toMinutes());
            }
        }
        Tracer tracer = context.getTracer();
        tracer.setExchangeFormatter(traceFormat);
        Instant until = clock.instant().plus(Duration.ofMinutes(minutes));
        if (minutes > 0) {
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("route", routeId);
            detail.put("until", until.toString());
            audit.append(List.of(AuditEvent.of("trace.bodies", "admin token", null, null, detail)));
        }
        traceFormat.showBodiesUntil(minutes > 0 ? until : Instant.MIN);
        if (enabled) {
            tracer.setTracePattern(routeId);
        }
        tracer.setEnabled(enabled);
        return answer(
                exchange,
                200,
                "tracing "
                        + (enabled
                                ? "on for route " + routeId + " (logger"
                                        + " org.apache.camel.Tracing), "
                                        + (minutes > 0
                                                ? "with message bodies until " + until + " (audited)"
                                                : "headers and body sizes only")
                                : "off"));
    }

    /**
     * The role of the request, from the Authorization header of the HTTP request itself: the routes' header filter
     * ({@link TokenHeaderFilter}) keeps it out of the Camel headers, so that a traced route cannot show the token,
     * and a query parameter of that name, which Camel would turn into a header, is not read either.
     */
    private StatusAccess.Role role(Exchange exchange) {
        return access.role(
                exchange.getMessage() instanceof HttpMessage http
                        ? http.getRequest().getHeader("Authorization")
                        : null);
    }

    /** null when the request has the admin token, else the refusal to answer. */
    private String refusedUnlessAdmin(Exchange exchange) {
        return switch (role(exchange)) {
            case ADMIN -> null;
            case READ ->
                answer(
                        exchange,
                        403,
                        access.open()
                                ? "admin actions are off: senproxy.admin.token is not" + " set"
                                : "admin only: this token may read the status, not act");
            case NONE -> unauthorized(exchange);
        };
    }

    private static String unauthorized(Exchange exchange) {
        exchange.getMessage().setHeader("WWW-Authenticate", "Bearer realm=\"sen-proxy\"");
        return answer(
                exchange,
                401,
                "a token is needed: send Authorization: Bearer <token>, the read token"
                        + " (senproxy.admin.read-token) or the admin token (senproxy.admin.token)");
    }

    private static String answer(Exchange exchange, int code, String message) {
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, code);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        return JSON.createObjectNode()
                .put("ok", code == 200)
                .put("message", message)
                .toString();
    }
}
