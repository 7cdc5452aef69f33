package org.senproxy.observe;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

import org.apache.camel.Exchange;
import org.apache.camel.spi.ExchangeFormatter;

/**
 * What Camel's tracer writes of each exchange when the admin action turns tracing on: its headers, and its body's type
 * and size, not the body. A body is household consumption, a peer's message, a status page: it goes to the logs only
 * while an admin has switched bodies on, for a bounded time ({@link #showBodiesUntil}), each switch audited.
 */
public final class TraceFormat implements ExchangeFormatter {

    /** The most characters of a body shown, when bodies are on. */
    static final int MAX_BODY_CHARS = 10_000;

    private final Clock clock;
    private volatile Instant bodiesUntil = Instant.MIN;

    public TraceFormat(Clock clock) {
        this.clock = clock;
    }

    /** Bodies are written until then (Instant.MIN: not at all). */
    public void showBodiesUntil(Instant until) {
        this.bodiesUntil = until;
    }

    public boolean showingBodies() {
        return clock.instant().isBefore(bodiesUntil);
    }

    @Override
    public String format(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        StringBuilder out = new StringBuilder("Headers: ")
                .append(new TreeMap<>(exchange.getMessage().getHeaders()))
                .append(", Body: ");
        if (body == null) {
            return out.append("null").toString();
        }
        out.append(body.getClass().getSimpleName()).append(size(body));
        if (showingBodies()) {
            String text = String.valueOf(body);
            out.append(", ").append(text.length() > MAX_BODY_CHARS ? text.substring(0, MAX_BODY_CHARS) + "..." : text);
        }
        return out.toString();
    }

    private static String size(Object body) {
        if (body instanceof CharSequence text) {
            return " (" + text.length() + " chars)";
        }
        if (body instanceof byte[] bytes) {
            return " (" + bytes.length + " bytes)";
        }
        if (body instanceof Collection<?> items) {
            return " (" + items.size() + " items)";
        }
        if (body instanceof Map<?, ?> entries) {
            return " (" + entries.size() + " entries)";
        }
        return "";
    }
}
