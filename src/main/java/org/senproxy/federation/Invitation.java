package org.senproxy.federation;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.ParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.nimbusds.jose.util.JSONObjectUtils;

/**
 * An invitation to enroll with this proxy ({@code peers invite}), as the operator hands it to the other organisation:
 * {@value #PREFIX}{@code <base64url(JSON)>}, the JSON holding {@code id} (the invitation's id), {@code jid} (the
 * inviting proxy's bare JID), {@code secret} (32 random bytes, base64url) and {@code fingerprint} (the RFC 7638
 * thumbprint of the inviting proxy's signing key, by which the joining proxy checks the answer).
 *
 * <p>The inviting proxy never stores the secret: it stores the proof key, {@code HMAC-SHA256(secret, "senproxy-invite:v1:"
 * + id)}, by which it checks the proof of an enrollment request ({@link #proof}): an HMAC-SHA256 under the proof key
 * over the invitation id, the joining proxy's JID, its key's thumbprint, a nonce and the request's message id, so that
 * none of them can be changed on the way and the secret itself never travels.
 */
public record Invitation(String id, String jid, String secret, String fingerprint) {

    public static final String PREFIX = "senproxy-invite:v1:";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    /** A new invitation from the proxy at {@code jid} whose key has thumbprint {@code fingerprint}. */
    public static Invitation create(String jid, String fingerprint) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return new Invitation(UUID.randomUUID().toString(), jid, B64.encodeToString(secret), fingerprint);
    }

    /** The string the operator hands over. */
    public String encode() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", id);
        json.put("jid", jid);
        json.put("secret", secret);
        json.put("fingerprint", fingerprint);
        return PREFIX + B64.encodeToString(JSONObjectUtils.toJSONString(json).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads an invitation string.
     *
     * @throws IllegalArgumentException saying what is wrong with it, for the operator
     */
    public static Invitation parse(String text) {
        String trimmed = text == null ? "" : text.strip();
        if (!trimmed.startsWith(PREFIX)) {
            if (trimmed.startsWith("senproxy-invite:")) {
                throw new IllegalArgumentException("an invitation of another version than v1: this proxy reads v1");
            }
            throw new IllegalArgumentException("not an invitation (it starts with " + PREFIX + ")");
        }
        Map<String, Object> json;
        try {
            json = JSONObjectUtils.parse(
                    new String(B64D.decode(trimmed.substring(PREFIX.length())), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException | ParseException e) {
            throw new IllegalArgumentException("the invitation is damaged (not base64url JSON): copy it whole");
        }
        Invitation invitation = new Invitation(
                field(json, "id"), field(json, "jid"), field(json, "secret"), field(json, "fingerprint"));
        byte[] secret;
        try {
            secret = B64D.decode(invitation.secret());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the invitation's secret is not base64url");
        }
        if (secret.length < 16) {
            throw new IllegalArgumentException("the invitation's secret is too short");
        }
        if (!invitation.jid().matches("[^@/\\s]+@[^@/\\s]+")) {
            throw new IllegalArgumentException("the invitation's jid '" + invitation.jid() + "' is not a bare JID");
        }
        return invitation;
    }

    private static String field(Map<String, Object> json, String name) {
        Object value = json.get(name);
        if (!(value instanceof String s) || s.isBlank() || s.length() > 512) {
            throw new IllegalArgumentException("the invitation has no valid " + name);
        }
        return s;
    }

    /** The key the inviting proxy keeps instead of the secret, base64url: it checks proofs with it. */
    public String proofKey() {
        return B64.encodeToString(hmac(B64D.decode(secret), PREFIX + id));
    }

    /** A fresh nonce for an enrollment request. */
    public static String nonce() {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        return B64.encodeToString(nonce);
    }

    /** The proof of the secret an enrollment request carries (base64url). */
    public static String proof(
            String proofKey, String invitationId, String joiningJid, String keyThumbprint, String nonce, String msgId) {
        String signed = String.join("\n", "senproxy-enroll:v1", invitationId, joiningJid, keyThumbprint, nonce, msgId);
        return B64.encodeToString(hmac(B64D.decode(proofKey), signed));
    }

    /** Whether {@code proof} is the right one, compared in constant time. */
    public static boolean proofMatches(
            String proofKey,
            String invitationId,
            String joiningJid,
            String keyThumbprint,
            String nonce,
            String msgId,
            String proof) {
        byte[] expected = B64D.decode(proof(proofKey, invitationId, joiningJid, keyThumbprint, nonce, msgId));
        byte[] given;
        try {
            given = B64D.decode(proof == null ? "" : proof);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(expected, given);
    }

    private static byte[] hmac(byte[] key, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** Hides the secret from logs. */
    @Override
    public String toString() {
        return "Invitation[id=" + id + ", jid=" + jid + ", fingerprint=" + fingerprint + "]";
    }
}
