package org.senproxy.audit;

import java.text.ParseException;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;

/**
 * Authorization changes (a consent granted or revoked, a subscription added or ended) are signed by whoever made them:
 * a compact JWS (ES256, Nimbus JOSE+JWT) over the change's detail as recorded in the audit trail. The signer's public
 * key travels in the JWS header ({@code jwk}) and its thumbprint is the {@code kid}. The key in the header proves
 * nothing by itself: {@code audit verify} checks a change against the key registered for its actor under that kid
 * ({@code sen-proxy keys trust}, {@link SignerKeys}), valid at the change's time ({@link #problem(String, String,
 * ECKey)}).
 *
 * <p>The proxy's own checkpoints of the trail ({@link AuditTrail#checkpoint}) are signed the same way by the proxy's
 * key, without the key in the header: they are checked against the proxy's own public keys only.
 */
public final class ChangeSignatures {

    private ChangeSignatures() {}

    public static String sign(ECKey signer, String detailJson) {
        try {
            ECKey publicKey = signer.toPublicJWK();
            JWSObject jws = new JWSObject(
                    new JWSHeader.Builder(JWSAlgorithm.ES256)
                            .keyID(publicKey.computeThumbprint().toString())
                            .jwk(publicKey)
                            .build(),
                    new Payload(detailJson));
            jws.sign(new ECDSASigner(signer));
            return jws.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign the change: " + e.getMessage(), e);
        }
    }

    /** A checkpoint's signature: by the proxy's key, named by its thumbprint, the key itself not in the header. */
    public static String signCheckpoint(ECKey proxyKey, String detailJson) {
        try {
            JWSObject jws = new JWSObject(
                    new JWSHeader.Builder(JWSAlgorithm.ES256)
                            .keyID(proxyKey.toPublicJWK().computeThumbprint().toString())
                            .build(),
                    new Payload(detailJson));
            jws.sign(new ECDSASigner(proxyKey));
            return jws.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign the audit checkpoint: " + e.getMessage(), e);
        }
    }

    /**
     * What is wrong with a signature checked against a key known beforehand (a key registered for the change's actor,
     * or the proxy's own for a checkpoint), or null when that key signed exactly this detail.
     */
    public static String problem(String signature, String detailJson, ECKey known) {
        try {
            JWSObject jws = JWSObject.parse(signature);
            JWSHeader header = jws.getHeader();
            if (!JWSAlgorithm.ES256.equals(header.getAlgorithm())) {
                return "not an ES256 signature";
            }
            if (!known.toPublicJWK().computeThumbprint().toString().equals(header.getKeyID())) {
                return "kid is not the thumbprint of the registered key";
            }
            if (!jws.verify(new ECDSAVerifier(known.toPublicJWK()))) {
                return "bad signature";
            }
            if (!detailJson.equals(jws.getPayload().toString())) {
                return "signed content differs from the recorded detail";
            }
            return null;
        } catch (ParseException | JOSEException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    /** The signer's key thumbprint, or null when the signature is unreadable. */
    public static String signer(String signature) {
        try {
            return JWSObject.parse(signature).getHeader().getKeyID();
        } catch (ParseException e) {
            return null;
        }
    }

    /**
     * What is wrong with a change's signature taken on its own (the key in its header), or null when it is that key's
     * over exactly this detail. Says nothing of who holds the key: {@link #problem(String, String, ECKey)} does.
     */
    public static String problem(String signature, String detailJson) {
        try {
            JWSObject jws = JWSObject.parse(signature);
            JWSHeader header = jws.getHeader();
            if (!JWSAlgorithm.ES256.equals(header.getAlgorithm()) || !(header.getJWK() instanceof ECKey key)) {
                return "not an ES256 signature with the signer's EC key";
            }
            if (key.isPrivate()) {
                return "the header holds a private key";
            }
            if (!key.computeThumbprint().toString().equals(header.getKeyID())) {
                return "kid is not the thumbprint of the key in the header";
            }
            if (!jws.verify(new ECDSAVerifier(key))) {
                return "bad signature";
            }
            if (!detailJson.equals(jws.getPayload().toString())) {
                return "signed content differs from the recorded detail";
            }
            return null;
        } catch (ParseException | JOSEException e) {
            return "unreadable: " + e.getMessage();
        }
    }
}
