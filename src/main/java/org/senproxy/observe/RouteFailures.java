package org.senproxy.observe;

import org.apache.camel.Exchange;
import org.apache.camel.Route;

/**
 * The WARN line of routes/errors.camel.yaml's internal-errors configuration: what a failure of the route means, as the
 * route's own {@code description} says it, then the exception's message. The description may name what the exchange
 * carries with simple expressions ({@code ${header.SenproxyOutboxId}}, {@code ${variable.acking}}): they are
 * evaluated on the failed exchange, so that one configuration serves every route and each line still names its row or
 * message. Property placeholders ({@code {{key}}}) are not resolved in a description.
 */
public final class RouteFailures {

    private RouteFailures() {}

    public static String describe(Exchange exchange, String routeId) {
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String cause = error == null ? "unknown error" : String.valueOf(error.getMessage());
        Route route = exchange.getContext().getRoute(routeId);
        String description = route == null ? null : route.getDescription();
        if (description == null || description.isBlank()) {
            return "failed: " + cause;
        }
        String meaning = description.contains("${")
                ? exchange.getContext()
                        .resolveLanguage("simple")
                        .createExpression(description)
                        .evaluate(exchange, String.class)
                : description;
        return meaning + ": " + cause;
    }
}
