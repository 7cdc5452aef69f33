package org.senproxy.connectors;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * OAuth 2.0 client-credentials tokens (RFC 6749 section 4.4) for connectors whose API wants a bearer token, such as
 * Enedis DataConnect. A token is asked for once and reused until a minute before it expires; a connector calls
 * {@code oauth2Tokens.bearer(${properties:x.token-url}, ${properties:x.client-id}, ${properties:x.client-secret})}
 * so that the secret is read when the route runs and never sits in the route's text. Nothing here logs a secret
 * or a token.
 */
public class OAuth2Tokens {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration MARGIN = Duration.ofMinutes(1);

    private record Token(String value, Instant expires) {}

    private final HttpClient http;
    private final Clock clock;
    private final Map<String, Token> cache = new ConcurrentHashMap<>();

    public OAuth2Tokens(Duration timeout, Clock clock) {
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
        this.clock = clock;
    }

    /** The Authorization header value, "Bearer ...", from the cache or from a new token request. */
    public String bearer(String tokenUrl, String clientId, String clientSecret)
            throws IOException, InterruptedException {
        return bearer(tokenUrl, clientId, clientSecret, null);
    }

    /** Same, asking for a scope (GRDF ADICT wants one, e.g. /adict/v1). */
    public String bearer(String tokenUrl, String clientId, String clientSecret, String scope)
            throws IOException, InterruptedException {
        String key = tokenUrl + " " + clientId + " " + scope;
        Token token = cache.get(key);
        if (token == null || !clock.instant().isBefore(token.expires())) {
            token = request(tokenUrl, clientId, clientSecret, scope);
            cache.put(key, token);
        }
        return "Bearer " + token.value();
    }

    private Token request(String tokenUrl, String clientId, String clientSecret, String scope)
            throws IOException, InterruptedException {
        String form = "grant_type=client_credentials&client_id=" + encode(clientId) + "&client_secret="
                + encode(clientSecret) + (scope == null || scope.isBlank() ? "" : "&scope=" + encode(scope));
        HttpRequest request = HttpRequest.newBuilder(URI.create(tokenUrl))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IOException("token request to " + tokenUrl + " answered " + response.statusCode()
                    + " with a body that is not JSON");
        }
        if (response.statusCode() != 200 || !body.hasNonNull("access_token")) {
            throw new IOException("token request to " + tokenUrl + " refused (" + response.statusCode() + "): "
                    + body.path("error").asText("no error code") + " "
                    + body.path("error_description").asText(""));
        }
        long lifetime = body.path("expires_in").asLong(300);
        return new Token(
                body.get("access_token").asText(),
                clock.instant().plusSeconds(lifetime).minus(MARGIN));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8);
    }
}
