package org.senproxy.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The records the benchmark sends: SenML records with a full name and their own time, the moment they were made
 * (microseconds), from which the latency to the sink's commit is measured. {@code <base><series>/power}, W, a value
 * that counts up. Each record is a new one for the proxy (its name and time were never seen), so none is dropped as
 * a duplicate.
 */
final class BenchRecords {

    private static final int SERIES = 100;

    private final String baseName;
    private long sequence;
    private long lastMicros;

    /** @param baseName a name prefix per variant and phase, e.g. {@code urn:dev:bench:mqtt-throughput:} */
    BenchRecords(String baseName) {
        this.baseName = baseName;
    }

    String baseName() {
        return baseName;
    }

    /** {@code count} new records stamped now, as SenML JSON records (no enclosing array). */
    synchronized List<String> next(int count) {
        List<String> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Instant now = Instant.now();
            long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
            // strictly growing times: a record's key (name, time) is never taken twice
            micros = Math.max(micros, lastMicros + 1);
            lastMicros = micros;
            long n = sequence++;
            records.add(String.format(
                    "{\"n\":\"%ss%d/power\",\"u\":\"W\",\"v\":%d,\"t\":%d.%06d}",
                    baseName, n % SERIES, n, micros / 1_000_000L, micros % 1_000_000L));
        }
        return records;
    }

    static String pack(List<String> records) {
        return "[" + String.join(",", records) + "]";
    }
}
