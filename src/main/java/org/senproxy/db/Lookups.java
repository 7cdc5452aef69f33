package org.senproxy.db;

import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Short-lived memory of rows that are read for every inbound message and change a few times a year (an app, its keys,
 * a subscription): {@code senproxy.inbound.lookup-cache-ms} (5 s by default) bounds how long a change made elsewhere
 * (by the command line, by another replica) takes to be seen. Only what was found is remembered; a lookup that finds
 * nothing goes to the database every time. Zero remembers nothing.
 */
public final class Lookups {

    private static final int MAX_ENTRIES = 10_000;

    private Lookups() {}

    public static <K, V> Cache<K, V> cache(Duration remember) {
        // upkeep on the caller's thread: an entry of a zero-sized cache is gone before put returns
        Caffeine<Object, Object> builder = Caffeine.newBuilder().executor(Runnable::run);
        if (remember.isZero() || remember.isNegative()) {
            return builder.maximumSize(0).build();
        }
        return builder.maximumSize(MAX_ENTRIES).expireAfterWrite(remember).build();
    }
}
