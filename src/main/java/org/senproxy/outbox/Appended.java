package org.senproxy.outbox;

/**
 * What one append did: {@code messages} outbox rows written, holding the {@code records} records of the poll that
 * were new; {@code duplicates} records were dropped because their key (source, name, time) was already taken, by an
 * earlier poll or by a record before them in the same poll.
 */
public record Appended(int messages, int records, int duplicates) {
}
