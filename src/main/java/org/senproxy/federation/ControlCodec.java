package org.senproxy.federation;

import java.security.Provider;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Set;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.bc.BouncyCastleProviderSingleton;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;

/**
 * The wire format of control messages (issue 20): what proxies say to each other about the federation itself
 * (enrollment, key announcements and revocations, consent requests and their answers), on the same XMPP session as
 * data.
 *
 * <pre>
 * &lt;message to="proxy-a@example.org" type="chat" id="(message id)"&gt;
 *   &lt;body&gt;sen-proxy control: enroll-request&lt;/body&gt;
 *   &lt;control xmlns="urn:senproxy:control:0" version="1" id="(message id)" type="enroll-request"
 *            sender="proxy-b@example.org"&gt;(payload)&lt;/control&gt;
 * &lt;/message&gt;
 * &lt;message to="proxy-b@example.org" type="chat"&gt;
 *   &lt;body&gt;sen-proxy: accepted (message id)&lt;/body&gt;
 *   &lt;control-ack xmlns="urn:senproxy:control:0" id="(message id)" status="accepted|rejected" reason="..."/&gt;
 * &lt;/message&gt;
 * </pre>
 *
 * The payload of an {@code enroll-request} is JSON (the joining proxy has no key the other knows yet: it proves the
 * invitation's secret instead, {@link Invitation#proof}); the payload of every other type is a compact JWS (ES256,
 * header {@code kid}) whose claims are {@code iss} (the sender's JID), {@code aud} (the recipient's), {@code jti} (the
 * message id), {@code iat} (refused older than {@code senproxy.signing.max-age-s}), {@code type} (the control type) and {@code body} (the type's JSON object).
 *
 * <p>Versions: this proxy writes and reads version {@value #VERSION}; another version is refused, saying which it
 * reads.
 */
public final class ControlCodec {

    public static final String NAMESPACE = "urn:senproxy:control:0";
    public static final int VERSION = 1;
    public static final String ENROLL_REQUEST = "enroll-request";
    public static final String ENROLL_ACCEPT = "enroll-accept";
    public static final String KEY_ANNOUNCE = "key-announce";
    public static final String KEY_REVOKE = "key-revoke";
    public static final String CONSENT_REQUEST = "consent-request";
    public static final String CONSENT_GRANTED = "consent-granted";
    public static final String CONSENT_REFUSED = "consent-refused";
    public static final String CONSENT_REVOKED = "consent-revoked";
    public static final String CATALOGUE_CHANGE = "catalogue-change";
    /** The control types this proxy knows. */
    public static final Set<String> TYPES = Set.of(
            ENROLL_REQUEST,
            ENROLL_ACCEPT,
            KEY_ANNOUNCE,
            KEY_REVOKE,
            CONSENT_REQUEST,
            CONSENT_GRANTED,
            CONSENT_REFUSED,
            CONSENT_REVOKED,
            CATALOGUE_CHANGE);

    private static final int MAX_ID_LENGTH = 128;
    private static final int MAX_PAYLOAD = 65_536;
    private static final Provider PROVIDER = BouncyCastleProviderSingleton.getInstance();

    /** A control message as received: its authenticated sender and what its element says. */
    public record Received(String senderJid, String messageId, String type, String payload) {}

    /** A control acknowledgement as received. */
    public record ControlAck(String senderJid, String messageId, boolean accepted, String reason) {}

    private ControlCodec() {}

    public static boolean isControl(Message message) {
        return message.getExtension("control", NAMESPACE) != null;
    }

    public static boolean isControlAck(Message message) {
        return message.getExtension("control-ack", NAMESPACE) != null;
    }

    /** The stanza of one control message. */
    public static Message stanza(String to, String from, String messageId, String type, String payload)
            throws XmppStringprepException {
        Message message = new Message(JidCreate.from(to), Message.Type.chat);
        message.setStanzaId(messageId);
        message.setBody("sen-proxy control: " + type);
        message.addExtension(StandardExtensionElement.builder("control", NAMESPACE)
                .addAttribute("version", Integer.toString(VERSION))
                .addAttribute("id", messageId)
                .addAttribute("type", type)
                .addAttribute("sender", from)
                .setText(payload)
                .build());
        return message;
    }

    /** The acknowledgement of a control message; {@code reason} null when accepted. */
    public static Message ack(String to, String messageId, boolean accepted, String reason)
            throws XmppStringprepException {
        return FederationCodec.ack("control-ack", NAMESPACE, to, messageId, accepted ? "accepted" : "rejected", reason);
    }

    /**
     * Reads a control message's element.
     *
     * @throws FederationException (permanent) for one this proxy cannot read; its message id, when there is one, is in
     *     the exception's text only
     */
    public static Received decode(Message message) {
        String sender = FederationCodec.bareSender(message);
        ExtensionElement element = message.getExtension("control", NAMESPACE);
        if (!(element instanceof StandardExtensionElement control)) {
            throw new FederationException("not a sen-proxy control message", false);
        }
        String id = control.getAttributeValue("id");
        if (id == null || id.isBlank() || id.length() > MAX_ID_LENGTH) {
            throw new FederationException("control message without a valid id", false);
        }
        String version = control.getAttributeValue("version");
        if (!Integer.toString(VERSION).equals(version)) {
            throw new FederationException(
                    "control message of version " + version + ": this proxy reads version " + VERSION, false);
        }
        if (!sender.equals(control.getAttributeValue("sender"))) {
            throw new FederationException(
                    "control sender '" + control.getAttributeValue("sender") + "' is not the authenticated address "
                            + sender,
                    false);
        }
        String type = control.getAttributeValue("type");
        if (!TYPES.contains(type)) {
            throw new FederationException(
                    "control type '" + type + "' unknown to this proxy (it knows " + TYPES + ")", false);
        }
        String payload = control.getText();
        if (payload == null || payload.isBlank() || payload.length() > MAX_PAYLOAD) {
            throw new FederationException("control message without a payload (or over " + MAX_PAYLOAD + ")", false);
        }
        return new Received(sender, id, type, payload.strip());
    }

    public static ControlAck decodeAck(Message message) {
        StandardExtensionElement ack = (StandardExtensionElement) message.getExtension("control-ack", NAMESPACE);
        return new ControlAck(
                FederationCodec.bareSender(message),
                ack.getAttributeValue("id"),
                "accepted".equals(ack.getAttributeValue("status")),
                ack.getAttributeValue("reason"));
    }

    /** The JWS payload of a signed control message. */
    public static String sign(
            ECKey key, String from, String to, String messageId, String type, Map<String, Object> body, Clock clock) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(from)
                .audience(to)
                .jwtID(messageId)
                .issueTime(Date.from(clock.instant()))
                .claim("type", type)
                .claim("body", body)
                .build();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
        try {
            ECDSASigner signer = new ECDSASigner(key);
            signer.getJCAContext().setProvider(PROVIDER);
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a control message", e);
        }
        return jwt.serialize();
    }

    /** The key id a signed payload names, or null when it is not a JWS. */
    public static String keyId(String payload) {
        try {
            return SignedJWT.parse(payload).getHeader().getKeyID();
        } catch (ParseException e) {
            return null;
        }
    }

    /**
     * Checks a signed control message with {@code key} and returns its body.
     *
     * @throws FederationException (permanent) saying why it is refused
     */
    public static Map<String, Object> verify(Received message, String ownJid, ECKey key, Instant now, Duration maxAge) {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(message.payload());
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw refused("not a compact JWS: unsigned control messages are refused");
        }
        JWSHeader header = jwt.getHeader();
        if (!JWSAlgorithm.ES256.equals(header.getAlgorithm())) {
            throw refused("algorithm " + header.getAlgorithm() + " is not allowed (ES256 only)");
        }
        if (header.getJWKURL() != null
                || header.getJWK() != null
                || header.getX509CertURL() != null
                || header.getX509CertChain() != null
                || header.getCriticalParams() != null) {
            throw refused("header with jku, jwk, x5u, x5c or crit: not accepted");
        }
        if (key.getKeyID() == null || !key.getKeyID().equals(header.getKeyID())) {
            throw refused("signed by key '" + header.getKeyID() + "', not a valid key of " + message.senderJid());
        }
        try {
            ECDSAVerifier verifier = new ECDSAVerifier(key.toPublicJWK());
            verifier.getJCAContext().setProvider(PROVIDER);
            if (!jwt.verify(verifier)) {
                throw refused("bad signature (key " + key.getKeyID() + ")");
            }
        } catch (JOSEException e) {
            throw refused("signature not verifiable: " + e.getMessage());
        }
        if (!message.senderJid().equals(claims.getIssuer())) {
            throw refused("issuer " + claims.getIssuer() + " is not the sender " + message.senderJid());
        }
        if (claims.getAudience() == null || !claims.getAudience().contains(ownJid)) {
            throw refused("audience " + claims.getAudience() + " is not this proxy (" + ownJid + ")");
        }
        if (!message.messageId().equals(claims.getJWTID())) {
            throw refused("signed message id " + claims.getJWTID() + " is not the message's " + message.messageId());
        }
        Instant issued =
                claims.getIssueTime() == null ? null : claims.getIssueTime().toInstant();
        if (issued == null || issued.isBefore(now.minus(maxAge)) || issued.isAfter(now.plusSeconds(60))) {
            throw refused("issued at " + issued + ", outside the accepted window (" + maxAge.toSeconds()
                    + " s back, 60 s ahead)");
        }
        if (!message.type().equals(claims.getClaim("type"))) {
            throw refused("signed type " + claims.getClaim("type") + " is not the message's " + message.type());
        }
        try {
            Map<String, Object> body = claims.getJSONObjectClaim("body");
            if (body == null) {
                throw refused("no body claim");
            }
            return body;
        } catch (ParseException e) {
            throw refused("body claim is not a JSON object");
        }
    }

    /** Reads a JSON payload (the enrollment request's). */
    public static Map<String, Object> json(String payload) {
        try {
            return JSONObjectUtils.parse(payload);
        } catch (ParseException e) {
            throw new FederationException("payload is not a JSON object", false);
        }
    }

    private static FederationException refused(String problem) {
        return new FederationException("control signature refused: " + problem, false);
    }
}
