package org.senproxy.observe;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Who may read the status page and who may act on the proxy through it, from the bearer token of a request:
 * {@code senproxy.admin.read-token} reads (status.json), {@code senproxy.admin.token} reads and acts (replay, tracing).
 *
 * <ul>
 * <li>Some token configured: reading needs either token, acting needs the admin one.</li>
 * <li>No token configured at all: reading is open, as on a proxy set up before tokens existed (keep port 8080 inside
 * the cluster), and acting is refused to everyone. The start-up log says so.</li>
 * </ul>
 *
 * <p>Tokens are compared as SHA-256 digests with {@link MessageDigest#isEqual}, which takes the same time whatever
 * bytes differ: equal lengths, so neither a token's content nor its length leaks through response times. Both
 * digests are compared on every request. The tokens themselves are not kept.
 */
public final class StatusAccess {

    /** What a request may do. */
    public enum Role {
        /** No token, or a wrong one (not told apart, so a caller learns nothing about the tokens). */
        NONE,
        READ,
        ADMIN
    }

    private static final String BEARER = "bearer ";

    private final byte[] admin;
    private final byte[] read;

    /** @param adminToken and @param readToken the tokens, {@code null} or blank when not set */
    public StatusAccess(String adminToken, String readToken) {
        this.admin = digestOrNull(adminToken);
        this.read = digestOrNull(readToken);
    }

    /** No token is configured: reading is open, acting refused. */
    public boolean open() {
        return admin == null && read == null;
    }

    /** The role of a request by its Authorization header ({@code Bearer <token>}; null when absent). */
    public Role role(String authorization) {
        byte[] given = digestOrNull(bearerToken(authorization));
        boolean isAdmin = matches(given, admin);
        boolean isReader = matches(given, read);
        if (isAdmin) {
            return Role.ADMIN;
        }
        return isReader || open() ? Role.READ : Role.NONE;
    }

    private static boolean matches(byte[] given, byte[] expected) {
        // both compared whatever the other gave, with equal-length digests
        return MessageDigest.isEqual(given == null ? new byte[32] : given, expected == null ? new byte[32] : expected)
                && given != null
                && expected != null;
    }

    private static String bearerToken(String authorization) {
        if (authorization == null
                || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        return authorization.substring(BEARER.length()).trim();
    }

    private static byte[] digestOrNull(String token) {
        if (token == null || token.isBlank()) {
            return null;
        }
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.trim().getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Which tokens are set, never their values. */
    @Override
    public String toString() {
        return "StatusAccess[admin token " + (admin == null ? "unset" : "set") + ", read token "
                + (read == null ? "unset" : "set") + "]";
    }
}
