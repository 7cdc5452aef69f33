package org.senproxy.observe;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import org.apache.camel.health.HealthCheck;

/**
 * Watches one readiness check while the proxy runs (its {@link #tick} called at a fixed delay) and says when it goes down and when it is back, with hysteresis:
 * down at the first failed check (a check that does not answer within {@code timeout} counts as failed: a pool waiting
 * for a connection to a database that does not answer would otherwise hold it for its whole connection timeout), back
 * only once the check has passed for {@code settle} without a failure in between, so that a flapping database does
 * not make the peers reshuffle their choice at every check.
 *
 * <p>Used with the {@code database} check ({@link ConnectivityChecks#database}) to withdraw a replica from its peers
 * while its database is away (federation.PeerResources): the XMPP session of such a replica stays up, so without it
 * the peers would go on choosing it and send again only after their ack timeout.
 *
 * <p>{@link #tick} is called every period by one thread; the check itself runs on {@code checker}, so that a check
 * that hangs is waited for again at the next tick rather than started twice.
 */
public final class ReadinessWatch {

    private final HealthCheck check;
    private final ExecutorService checker;
    private final Duration timeout;
    private final Duration settle;
    private final Consumer<String> down;
    private final Runnable up;
    private final LongSupplier nanos;

    private Future<HealthCheck.Result> pending;
    private boolean isDown;
    private long passingSince = -1;

    /**
     * @param timeout how long a check may take before it counts as failed (it goes on, and a later tick waits for it
     *                again rather than starting another)
     * @param down    told why, once, when the check fails after passing
     * @param up   told once the check has passed for {@code settle} after {@code down}
     */
    public ReadinessWatch(
            HealthCheck check,
            ExecutorService checker,
            Duration timeout,
            Duration settle,
            Consumer<String> down,
            Runnable up,
            LongSupplier nanos) {
        this.check = check;
        this.checker = checker;
        this.timeout = timeout;
        this.settle = settle;
        this.down = down;
        this.up = up;
        this.nanos = nanos;
    }

    /** One check: started (or the one still running waited for) and its result acted on. */
    public synchronized void tick() {
        if (pending == null) {
            pending = checker.submit(check::callReadiness);
        }
        String failure;
        try {
            HealthCheck.Result result = pending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            pending = null;
            failure = result.getState() == HealthCheck.State.UP
                    ? null
                    : result.getMessage().orElse("the " + check.getId() + " check is " + result.getState());
        } catch (TimeoutException e) {
            failure = "the " + check.getId() + " check did not answer within " + timeout.toMillis() + " ms";
        } catch (ExecutionException e) {
            pending = null;
            failure = "the " + check.getId() + " check failed: " + e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (failure != null) {
            passingSince = -1;
            if (!isDown) {
                isDown = true;
                down.accept(failure);
            }
        } else if (isDown) {
            long now = nanos.getAsLong();
            if (passingSince < 0) {
                passingSince = now;
            }
            if (now - passingSince >= settle.toNanos()) {
                isDown = false;
                passingSince = -1;
                up.run();
            }
        }
    }

    /** Whether the check is taken as down now (failed, and not yet passed for the settle time since). */
    public synchronized boolean isDown() {
        return isDown;
    }
}
