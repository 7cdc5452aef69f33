package org.senproxy.secrets;

/**
 * Stored credentials that cannot be read. The message names the user_app row and what is wrong, so that an operator
 * can act ({@code credentials check} lists them all); it never holds the secret, the key or the stored bytes.
 */
public class CredentialsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What is wrong with a row's credentials. */
    public enum Problem {
        /** Not in the format of {@link CredentialCipher} (too short, an unknown version). */
        MALFORMED,
        /** Written with a key id that is not configured (removed too early, or from another installation). */
        UNKNOWN_KEY,
        /** Written for another row: copied or moved there. */
        OTHER_ROW,
        /**
         * The authentication tag does not match: the key configured under that id is not the one the row was written
         * with, or the bytes were altered. AES-GCM cannot tell these apart.
         */
        NOT_AUTHENTIC
    }

    private final long rowId;
    private final Problem problem;

    public CredentialsException(long rowId, Problem problem, String detail) {
        super("user_app row " + rowId + ": " + detail);
        this.rowId = rowId;
        this.problem = problem;
    }

    public long rowId() {
        return rowId;
    }

    public Problem problem() {
        return problem;
    }
}
