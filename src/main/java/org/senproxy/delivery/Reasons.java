package org.senproxy.delivery;

import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * Turns an exception into the one-line reason kept with a failed row or a dead letter, or logged when a poll is
 * given up: the exception and its causes, and for an HTTP error the start of the server's answer.
 */
public final class Reasons {

    private Reasons() {}

    public static String of(Throwable error) {
        if (error == null) {
            return "unknown error";
        }
        StringBuilder reason = new StringBuilder(line(error));
        Throwable cause = error.getCause();
        for (int depth = 0; cause != null && cause != error && depth < 3; depth++, cause = cause.getCause()) {
            reason.append("; caused by ").append(line(cause));
        }
        return DeadLetters.truncate(reason.toString(), 2000);
    }

    private static String line(Throwable t) {
        String message = t.getMessage();
        String line = t.getClass().getSimpleName() + (message == null ? "" : ": " + message.strip());
        if (t instanceof HttpOperationFailedException http
                && http.getResponseBody() != null
                && !http.getResponseBody().isBlank()) {
            // what the server said, e.g. Enedis' error code or GRDF's message
            line += " answered: "
                    + DeadLetters.truncate(http.getResponseBody().strip().replaceAll("\\s+", " "), 300);
        }
        return line;
    }
}
