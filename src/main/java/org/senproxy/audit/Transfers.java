package org.senproxy.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.senproxy.senml.CanonicalRecords;
import org.senproxy.senml.Measurement;
import org.senproxy.senml.Senml;
import org.senproxy.senml.SenmlException;

/**
 * What the audit trail says of one transferred message: which series (the first {@value #MAX_SERIES} names, and how
 * many in all), which period (first and last record time), how many records, and the digest of the records that the
 * message's signature binds ({@code senml_sha256}, see {@link CanonicalRecords} and federation.MessageSignatures).
 */
public final class Transfers {

    static final int MAX_SERIES = 20;

    private Transfers() {}

    /**
     * The description of a message whose records are a resolved SenML pack (JSON), as in the outbox. A payload that is
     * not valid SenML (a row written by hand, a peer's refusal of it) is described by the digest of its text: the
     * outcome of such a message is audited all the same.
     */
    public static Map<String, Object> describe(String resolvedSenmlJson) {
        try {
            return describe(Senml.resolve(Senml.parseJson(resolvedSenmlJson), 0));
        } catch (SenmlException e) {
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("unreadable", e.getMessage());
            detail.put("payload_sha256", CanonicalRecords.digestOf(resolvedSenmlJson));
            return detail;
        }
    }

    public static Map<String, Object> describe(List<Measurement> records) {
        return describe(records, null);
    }

    /**
     * Same as {@link #describe(List)}, with the records' digest when the caller has it already ({@code null}: computed
     * here): a received message's signature check computed it, an outbox row is written with it (CanonicalRecords).
     */
    public static Map<String, Object> describe(List<Measurement> records, String recordsDigest) {
        Set<String> names = new LinkedHashSet<>();
        double first = Double.POSITIVE_INFINITY;
        double last = Double.NEGATIVE_INFINITY;
        for (Measurement m : records) {
            names.add(m.name());
            first = Math.min(first, m.time());
            last = Math.max(last, m.time());
        }
        Map<String, Object> detail = new LinkedHashMap<>();
        List<String> series = new ArrayList<>(names);
        detail.put("series", series.size() > MAX_SERIES ? series.subList(0, MAX_SERIES) : series);
        detail.put("series_count", series.size());
        detail.put("records", records.size());
        if (!records.isEmpty()) {
            Map<String, Object> period = new LinkedHashMap<>();
            period.put("from", time(first));
            period.put("to", time(last));
            detail.put("period", period);
        }
        detail.put(
                "senml_sha256",
                recordsDigest != null
                        ? recordsDigest
                        : CanonicalRecords.of(records).digest());
        return detail;
    }

    private static String time(double seconds) {
        return Instant.ofEpochMilli(Math.round(seconds * 1000)).toString();
    }
}
