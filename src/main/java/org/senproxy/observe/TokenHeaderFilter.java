package org.senproxy.observe;

import org.apache.camel.http.base.HttpHeaderFilterStrategy;

/**
 * The header filter of the status page's routes ({@code headerFilterStrategy: "#statusHeaderFilter"}): Camel's usual
 * HTTP one, except that the request's Authorization header never becomes a Camel header. A Camel header is shown by
 * Camel's message tracing (which the admin turns on per route), by a log step, in errors; this one carries a token.
 * {@link StatusPage} reads it from the HTTP request itself.
 */
public final class TokenHeaderFilter extends HttpHeaderFilterStrategy {

    public TokenHeaderFilter() {
        getInFilter().add("authorization"); // lower case: the HTTP strategy compares header names in lower case
    }
}
