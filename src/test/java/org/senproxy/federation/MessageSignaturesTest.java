package org.senproxy.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;
import org.senproxy.senml.CanonicalRecords;
import org.senproxy.senml.Measurement;
import org.senproxy.senml.Senml;

/** JWS of federation messages: what is signed, and every way a signature is refused. */
class MessageSignaturesTest {

    private static final String A = "proxy-a@localhost";
    private static final String B = "proxy-b@localhost";
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final List<Measurement> RECORDS = Senml.resolve(
            Senml.parseJson("[{\"n\":\"urn:dev:x:1_power\",\"u\":\"W\",\"t\":1700000000.25,\"v\":7.5},"
                    + "{\"n\":\"urn:dev:x:1_energy/index\",\"u\":\"Wh\",\"t\":1700000000,\"v\":1234567}]"),
            0);

    private final ECKey key = generate("k1");

    private static ECKey generate(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static FederationMessage message(List<Measurement> records, String signature) {
        return new FederationMessage(A, "m-1", 1, "c-1", records, signature, null);
    }

    private void verify(String signature, List<Measurement> records) {
        MessageSignatures.verify(
                signature, List.of(key.toPublicJWK()), B, message(records, signature), CLOCK, Duration.ofMinutes(10));
    }

    @Test
    void aSignatureByTheSendersKeyOverTheseRecordsHolds() {
        String signature = MessageSignatures.sign(key, A, B, "m-1", null, RECORDS, NOW);
        assertThatCode(() -> verify(signature, RECORDS)).doesNotThrowAnyException();
    }

    /**
     * The receiver stores and audits the records' canonical form that the check computed, rather than writing it a
     * second time: the JSON the inbox keeps and the digest that the signature binds.
     */
    @Test
    void theCheckGivesTheCanonicalRecordsWhoseDigestTheSignatureBinds() throws Exception {
        String signature = MessageSignatures.sign(key, A, B, "m-1", null, RECORDS, NOW);
        CanonicalRecords checked = MessageSignatures.verify(
                signature, List.of(key.toPublicJWK()), B, message(RECORDS, signature), CLOCK, Duration.ofMinutes(10));
        assertThat(checked.digest())
                .isEqualTo(MessageSignatures.digest(RECORDS))
                .isEqualTo(SignedJWT.parse(signature).getJWTClaimsSet().getClaim("senml_sha256"))
                .isEqualTo(java.util.Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(java.security.MessageDigest.getInstance("SHA-256")
                                .digest(checked.json().getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        assertThat(Senml.resolve(Senml.parseJson(checked.json()), 0)).isEqualTo(RECORDS);
    }

    /** The sender signs the digest written with its outbox row: the same signature as from the records. */
    @Test
    void aSignatureOverTheRecordsDigestIsASignatureOverTheRecords() {
        String digest = CanonicalRecords.of(RECORDS).digest();
        String signature = MessageSignatures.sign(key, A, B, "m-1", null, digest, NOW);
        assertThatCode(() -> verify(signature, RECORDS)).doesNotThrowAnyException();

        // out of time order (several source messages gathered into one): the order the receiver resolves them in
        List<Measurement> unordered = List.of(RECORDS.get(1), RECORDS.get(0));
        String digestOfUnordered = CanonicalRecords.of(unordered).digest();
        assertThat(digestOfUnordered).isEqualTo(digest);
        assertThatCode(() -> verify(
                        MessageSignatures.sign(key, A, B, "m-1", null, digestOfUnordered, NOW),
                        Senml.resolve(
                                Senml.parseJson(CanonicalRecords.of(unordered).json()), 0)))
                .doesNotThrowAnyException();

        String otherDigest = CanonicalRecords.of(RECORDS.subList(0, 1)).digest();
        String other = MessageSignatures.sign(key, A, B, "m-1", null, otherDigest, NOW);
        assertThatThrownBy(() -> verify(other, RECORDS)).hasMessageContaining("do not match the signed digest");
    }

    /** The provider changed (JDK 17, then Bouncy Castle): proxies of either kind must read each other's signatures. */
    @Test
    void signaturesOfTheJdksProviderAndOfOursReadEachOther() throws Exception {
        String ours = MessageSignatures.sign(key, A, B, "m-1", null, RECORDS, NOW);
        assertThat(SignedJWT.parse(ours).verify(new ECDSAVerifier(key.toPublicJWK())))
                .as("read by the JDK's")
                .isTrue();

        SignedJWT jdk = SignedJWT.parse(ours);
        SignedJWT resigned = new SignedJWT(jdk.getHeader(), jdk.getJWTClaimsSet());
        resigned.sign(new ECDSASigner(key));
        assertThatCode(() -> verify(resigned.serialize(), RECORDS))
                .as("the JDK's, read by ours")
                .doesNotThrowAnyException();
        SignedJWT forged = new SignedJWT(jdk.getHeader(), jdk.getJWTClaimsSet());
        forged.sign(new ECDSASigner(generate("k1")));
        assertThatThrownBy(() -> verify(forged.serialize(), RECORDS)).hasMessageContaining("bad signature");
    }

    @Test
    void theDigestIsTheSameFromXmlAsFromJson() {
        List<Measurement> fromXml = Senml.resolve(Senml.parseXml(Senml.toXml(Senml.fromMeasurements(RECORDS))), 0);
        assertThat(MessageSignatures.digest(fromXml)).isEqualTo(MessageSignatures.digest(RECORDS));
    }

    @Test
    void changedRecordsAnotherAudienceOrMessageAreRefused() {
        String signature = MessageSignatures.sign(key, A, B, "m-1", null, RECORDS, NOW);
        List<Measurement> changed = Senml.resolve(
                Senml.parseJson("[{\"n\":\"urn:dev:x:1_power\",\"u\":\"W\",\"t\":1700000000.25,\"v\":7.6}]"), 0);
        assertThatThrownBy(() -> verify(signature, changed)).hasMessageContaining("do not match the signed digest");

        String forC = MessageSignatures.sign(key, A, "proxy-c@localhost", "m-1", null, RECORDS, NOW);
        assertThatThrownBy(() -> verify(forC, RECORDS)).hasMessageContaining("is not this proxy");

        String otherMessage = MessageSignatures.sign(key, A, B, "m-2", null, RECORDS, NOW);
        assertThatThrownBy(() -> verify(otherMessage, RECORDS)).hasMessageContaining("signed message id m-2");

        String byB = MessageSignatures.sign(key, B, B, "m-1", null, RECORDS, NOW);
        assertThatThrownBy(() -> verify(byB, RECORDS)).hasMessageContaining("issuer " + B + " is not the sender");
    }

    @Test
    void tooOldOrFromTheFutureIsRefused() {
        assertThatThrownBy(() ->
                        verify(MessageSignatures.sign(key, A, B, "m-1", null, RECORDS, NOW.minusSeconds(601)), RECORDS))
                .hasMessageContaining("outside the accepted window");
        assertThatThrownBy(() ->
                        verify(MessageSignatures.sign(key, A, B, "m-1", null, RECORDS, NOW.plusSeconds(120)), RECORDS))
                .hasMessageContaining("outside the accepted window");
    }

    @Test
    void noneHmacAndKeysFromElsewhereAreRefused() throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(A)
                .audience(B)
                .jwtID("m-1")
                .issueTime(Date.from(NOW))
                .claim(MessageSignatures.DIGEST_CLAIM, MessageSignatures.digest(RECORDS))
                .build();
        String none = new PlainJWT(claims).serialize();
        assertThatThrownBy(() -> verify(none, RECORDS)).hasMessageContaining("signature refused");

        SignedJWT hmac = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(), claims);
        hmac.sign(new MACSigner(new byte[32]));
        assertThatThrownBy(() -> verify(hmac.serialize(), RECORDS)).hasMessageContaining("HS256 is not allowed");

        SignedJWT withJwk = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES256)
                        .keyID("k1")
                        .jwk(key.toPublicJWK())
                        .build(),
                claims);
        withJwk.sign(new ECDSASigner(key));
        assertThatThrownBy(() -> verify(withJwk.serialize(), RECORDS)).hasMessageContaining("jku, x5u, jwk");

        assertThatThrownBy(() -> verify(null, RECORDS)).hasMessageContaining("no signature");
        assertThatThrownBy(() -> verify("not.a.jws", RECORDS)).hasMessageContaining("unreadable signature");
    }
}
