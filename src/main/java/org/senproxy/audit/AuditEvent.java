package org.senproxy.audit;

import java.util.Map;

/**
 * One entry of the audit trail before it is chained.
 *
 * @param kind       what happened: {@code consent.granted}, {@code consent.revoked}, {@code subscription.added},
 *                   {@code subscription.ended}, {@code transfer.acknowledged}, {@code transfer.rejected},
 *                   {@code transfer.failed}, {@code transfer.withheld}, {@code transfer.received},
 *                   {@code transfer.refused}
 * @param actor      who did it: an operator's name for changes, a proxy's or peer's JID for transfers
 * @param userRef    the data owner (federated_user.external_id), or null when not known here
 * @param consentRef the consent concerned, or null
 * @param detail     the rest, written as JSON in this order
 * @param signature  the actor's compact JWS over the detail JSON (authorization changes), or null
 */
public record AuditEvent(
        String kind, String actor, String userRef, String consentRef, Map<String, Object> detail, String signature) {

    public static AuditEvent of(
            String kind, String actor, String userRef, String consentRef, Map<String, Object> detail) {
        return new AuditEvent(kind, actor, userRef, consentRef, detail, null);
    }
}
