package org.senproxy.delivery;

/** Turns an exception into the one-line reason kept with a failed row or a dead letter. */
public final class Reasons {

    private Reasons() {
    }

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
        return t.getClass().getSimpleName() + (message == null ? "" : ": " + message.strip());
    }
}
