package org.senproxy.outbox;

/**
 * What one append did: {@code messages} outbox rows written, holding the {@code records} records of the poll that
 * were new; {@code duplicates} records were dropped because their key (source, name, time) was already taken, by an
 * earlier poll or by a record before them in the same poll. {@code outsideDataPeriod}: records a consumer's scope
 * covered but its consent's data period did not, never sent. {@code held}: new records that no consumer took because
 * none may take the source now (none, none with a consent in force, or none caught up yet); they stay in
 * source_record, and a consumer that comes into force later receives them ({@link CatchUp}).
 */
public record Appended(int messages, int records, int duplicates, int outsideDataPeriod, int held) {}
