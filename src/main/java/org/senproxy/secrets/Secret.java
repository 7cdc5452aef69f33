package org.senproxy.secrets;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A password, token or other secret of a local application, in memory. It exists so that a secret cannot end up in a
 * log line, an exception message or a record's {@code toString()} by accident: printing it shows
 * {@code Secret[hidden]}; only {@link #reveal()} gives the value, at the one place that hands it to the application.
 */
public final class Secret {

    private final byte[] value;

    private Secret(byte[] value) {
        this.value = value;
    }

    /** The secret of these UTF-8 bytes (copied). */
    public static Secret of(byte[] utf8) {
        return new Secret(utf8.clone());
    }

    public static Secret of(String value) {
        return new Secret(value.getBytes(StandardCharsets.UTF_8));
    }

    /** The value, for the application that needs it. */
    public String reveal() {
        return new String(value, StandardCharsets.UTF_8);
    }

    /** A copy of the UTF-8 bytes (the caller may wipe it with {@link Arrays#fill(byte[], byte)}). */
    public byte[] bytes() {
        return value.clone();
    }

    public boolean isEmpty() {
        return value.length == 0;
    }

    @Override
    public String toString() {
        return "Secret[hidden]";
    }
}
