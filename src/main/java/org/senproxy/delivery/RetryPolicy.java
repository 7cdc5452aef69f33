package org.senproxy.delivery;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When to try again after a failed or unacknowledged attempt: exponential backoff with jitter,
 * capped, and a maximum number of attempts after which the row becomes a dead letter.
 */
public record RetryPolicy(int maxAttempts, Duration firstDelay, Duration maxDelay, double jitter) {

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        if (jitter < 0 || jitter > 1) {
            throw new IllegalArgumentException("jitter must be between 0 and 1");
        }
    }

    /** The delay before attempt number {@code attemptsSoFar + 1}, given that {@code attemptsSoFar} failed. */
    public Duration delayAfter(int attemptsSoFar) {
        int exponent = Math.max(0, Math.min(attemptsSoFar - 1, 30));
        double millis = Math.min((double) maxDelay.toMillis(), firstDelay.toMillis() * Math.pow(2, exponent));
        double spread = millis * jitter * ThreadLocalRandom.current().nextDouble();
        return Duration.ofMillis(Math.round(millis - spread / 2));
    }

    public boolean exhausted(int attemptsSoFar) {
        return attemptsSoFar >= maxAttempts;
    }
}
