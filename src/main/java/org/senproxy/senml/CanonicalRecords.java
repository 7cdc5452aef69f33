package org.senproxy.senml;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;

/**
 * A message's records in their canonical form: resolved, in the order resolving gives them (by time), written as
 * sen-proxy's compact SenML JSON, so that the receiver, which resolves what it reads, computes the same. It is what the
 * outbox and the inbox store as a message's payload, and its SHA-256 (base64url) is the digest a signature binds
 * (federation.MessageSignatures) and the audit trail records. Computed once per message and side: writing the JSON of
 * 250 records took more CPU than the signature itself (docs/benchmarks.md).
 */
public record CanonicalRecords(String json, String digest) {

    public static CanonicalRecords of(List<Measurement> records) {
        // a sender's records may come in any order (messages of a source gathered together); a receiver's are resolved
        String json = Senml.toJson(Senml.fromMeasurements(Senml.inResolvedOrder(records)));
        return new CanonicalRecords(json, digestOf(json));
    }

    /**
     * The SHA-256 of a text's UTF-8 bytes, base64url without padding: how a message's digest is written, in its
     * signature and in the audit trail (also for a payload that cannot be read as records).
     */
    public static String digestOf(String text) {
        try {
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }
}
