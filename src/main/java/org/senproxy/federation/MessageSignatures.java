package org.senproxy.federation;

import java.security.Provider;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.bc.BouncyCastleProviderSingleton;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.senproxy.senml.CanonicalRecords;
import org.senproxy.senml.Measurement;

/**
 * Non-repudiation of federation messages: each data message carries a JSON Web Signature (compact JWS, ES256) by the
 * sending proxy's key, over claims that bind it to one message: {@code iss} the sender's bare JID, {@code aud} the
 * recipient's, {@code jti} the message id, {@code iat}, {@code consent} the consent it is sent under (when any), and {@code senml_sha256} the SHA-256 (base64url) of the
 * message's records in their canonical form (resolved, then written as sen-proxy's compact SenML JSON, which both
 * sides compute the same from the XML on the wire). One signature per message, not per record.
 *
 * <p>Verification accepts ES256 only: {@code none}, HMAC, and any header that points elsewhere for a key
 * ({@code jku}, {@code x5u}, {@code jwk}, {@code x5c}) or asks for something this reader does not do ({@code zip},
 * {@code crit}) is refused, as is a JWE (it does not parse as a JWS).
 */
public final class MessageSignatures {

    public static final String DIGEST_CLAIM = "senml_sha256";
    /** The ref of the consent the message is sent under, when it names one. */
    public static final String CONSENT_CLAIM = "consent";

    private static final Set<JWSAlgorithm> ALLOWED = Set.of(JWSAlgorithm.ES256);

    /**
     * Signs and verifies with Bouncy Castle's P-256 rather than JDK 17's, which took a third of the receiving proxy's
     * CPU in the benchmark (docs/benchmarks.md): same algorithm, same keys, same bytes on the wire. Used for these
     * signatures only, not registered in the JVM.
     */
    private static final Provider PROVIDER = BouncyCastleProviderSingleton.getInstance();

    private MessageSignatures() {}

    /** The digest of a message's records, as signed ({@link CanonicalRecords}). */
    public static String digest(List<Measurement> records) {
        return CanonicalRecords.of(records).digest();
    }

    /** Signs one message for one recipient with the proxy's private key. */
    public static String sign(
            ECKey privateKey,
            String senderJid,
            String recipientJid,
            String messageId,
            String consentRef,
            List<Measurement> records,
            Instant now) {
        return sign(privateKey, senderJid, recipientJid, messageId, consentRef, digest(records), now);
    }

    /**
     * Same as {@link #sign(ECKey, String, String, String, String, List, Instant)}, with the digest of the records
     * ({@link CanonicalRecords}) the caller has already: the outbox row's, written with it.
     */
    public static String sign(
            ECKey privateKey,
            String senderJid,
            String recipientJid,
            String messageId,
            String consentRef,
            String recordsDigest,
            Instant now) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(senderJid)
                .audience(recipientJid)
                .jwtID(messageId)
                .issueTime(Date.from(now))
                .claim(DIGEST_CLAIM, recordsDigest)
                .claim(CONSENT_CLAIM, consentRef)
                .build();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES256)
                        .keyID(privateKey.getKeyID())
                        .build(),
                claims);
        try {
            ECDSASigner signer = new ECDSASigner(privateKey);
            signer.getJCAContext().setProvider(PROVIDER);
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign with key " + privateKey.getKeyID() + ": " + e.getMessage(), e);
        }
        return jwt.serialize();
    }

    /**
     * Checks a message's signature against the sender's public keys valid now.
     *
     * @return the message's records in their canonical form, whose digest the signature binds
     * @throws FederationException (refused) naming what is wrong: missing, unreadable, not allowed, unknown key, bad
     *                             signature, wrong issuer, audience, message id or digest, issued too long ago or
     *                             in the future
     */
    public static CanonicalRecords verify(
            String signature,
            List<ECKey> senderKeys,
            String ownJid,
            FederationMessage message,
            Clock clock,
            Duration maxAge) {
        return verify(signature, parsed(signature), senderKeys, ownJid, message, clock, maxAge);
    }

    /** The signature read as a JWS, or null when there is none or it is not one (verify then says which). */
    public static SignedJWT parsed(String signature) {
        if (signature == null || signature.isBlank()) {
            return null;
        }
        try {
            return SignedJWT.parse(signature);
        } catch (ParseException e) {
            return null;
        }
    }

    /** Same as {@link #verify(String, List, String, FederationMessage, Clock, Duration)}, the signature read already. */
    public static CanonicalRecords verify(
            String signature,
            SignedJWT jwt,
            List<ECKey> senderKeys,
            String ownJid,
            FederationMessage message,
            Clock clock,
            Duration maxAge) {
        if (signature == null || signature.isBlank()) {
            throw refused("no signature, and " + message.senderJid() + " has registered keys");
        }
        JWTClaimsSet claims;
        try {
            if (jwt == null) {
                jwt = SignedJWT.parse(signature);
            }
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw refused("unreadable signature (not a compact JWS): " + e.getMessage());
        }
        JWSHeader header = jwt.getHeader();
        if (!ALLOWED.contains(header.getAlgorithm())) {
            throw refused("signature algorithm " + header.getAlgorithm() + " is not allowed (ES256 only)");
        }
        if (header.getJWKURL() != null
                || header.getX509CertURL() != null
                || header.getJWK() != null
                || header.getX509CertChain() != null
                || header.getCustomParam("zip") != null
                || header.getCriticalParams() != null) {
            throw refused("signature header with jku, x5u, jwk, x5c, zip or crit: not accepted");
        }
        ECKey key = senderKeys.stream()
                .filter(k -> k.getKeyID() != null && k.getKeyID().equals(header.getKeyID()))
                .findFirst()
                .orElseThrow(() -> refused(
                        "signature key '" + header.getKeyID() + "' is not a valid" + " key of " + message.senderJid()));
        try {
            ECDSAVerifier verifier = new ECDSAVerifier(key);
            verifier.getJCAContext().setProvider(PROVIDER);
            if (!jwt.verify(verifier)) {
                throw refused("bad signature (key " + key.getKeyID() + ")");
            }
        } catch (JOSEException e) {
            throw refused("signature not verifiable: " + e.getMessage());
        }
        check(
                message.senderJid().equals(claims.getIssuer()),
                "issuer " + claims.getIssuer() + " is not the sender " + message.senderJid());
        check(
                claims.getAudience() != null && claims.getAudience().contains(ownJid),
                "audience " + claims.getAudience() + " is not this proxy (" + ownJid + ")");
        check(
                message.messageId().equals(claims.getJWTID()),
                "signed message id " + claims.getJWTID() + " is not the message's " + message.messageId());
        Instant issued =
                claims.getIssueTime() == null ? null : claims.getIssueTime().toInstant();
        Instant now = clock.instant();
        check(
                issued != null && !issued.isBefore(now.minus(maxAge)) && !issued.isAfter(now.plusSeconds(60)),
                "issued at " + issued + ", outside the accepted window (" + maxAge.toSeconds()
                        + " s back, 60 s ahead)");
        check(
                Objects.equals(message.consentRef(), claims.getClaim(CONSENT_CLAIM)),
                "signed consent " + claims.getClaim(CONSENT_CLAIM) + " is not the message's " + message.consentRef());
        CanonicalRecords canonical = CanonicalRecords.of(message.records());
        check(canonical.digest().equals(claims.getClaim(DIGEST_CLAIM)), "the records do not match the signed digest");
        return canonical;
    }

    private static void check(boolean ok, String problem) {
        if (!ok) {
            throw refused(problem);
        }
    }

    private static FederationException refused(String problem) {
        return new FederationException("signature refused: " + problem, true);
    }
}
