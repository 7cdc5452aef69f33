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
 * key travels in the JWS header ({@code jwk}) and its thumbprint is the {@code kid}: the trail says which key made each
 * change, and who holds that key is settled out of band (an operator's key is made by {@code sen-proxy keys generate}
 * and its thumbprint kept on file).
 */
public final class ChangeSignatures {

    private ChangeSignatures() {
    }

    public static String sign(ECKey signer, String detailJson) {
        try {
            ECKey publicKey = signer.toPublicJWK();
            JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.ES256)
                    .keyID(publicKey.computeThumbprint().toString()).jwk(publicKey).build(), new Payload(detailJson));
            jws.sign(new ECDSASigner(signer));
            return jws.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign the change: " + e.getMessage(), e);
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

    /** What is wrong with a change's signature, or null when it is the signer's over exactly this detail. */
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
