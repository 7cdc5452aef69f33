package org.senproxy.consent;

/**
 * Where the records held back by a consent's data period are counted (the proxy's metrics and status page), by path:
 * {@code append} (a poll's records, at outbox-append), {@code queued} (rows queued before a narrowing, at
 * outbox-dispatch), {@code history} (a Quoalise get_history answer).
 */
@FunctionalInterface
public interface WithheldRecords {

    /** Counts nothing (tests, and the CLI). */
    WithheldRecords NONE = (path, records) -> {};

    void count(String path, long records);
}
