package org.senproxy.outbox;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import org.senproxy.audit.AuditEvent;
import org.senproxy.audit.AuditTrail;
import org.senproxy.db.Sql;
import org.senproxy.db.Transactions;
import org.senproxy.federation.Ack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * outbox-ack (bean {@code outboxAcks}): what peers answered to the messages sent. A row is done when its recipient
 * acknowledged it, in one transaction with its audit entry; a row the recipient refused for good is a dead letter; a
 * row the recipient deferred (its operator suspended this proxy) waits and is sent again later, never a dead letter.
 */
public class OutboxAcks {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxAcks.class);

    private static final Sql ACKNOWLEDGE = Sql.of(OutboxAcks.class, "acknowledge");
    private static final Sql REJECT = Sql.of(OutboxAcks.class, "reject");
    private static final Sql DEFER = Sql.of(OutboxAcks.class, "defer");

    private final DataSource dataSource;
    private final AuditTrail audit;
    private final String ownJid;
    private volatile Duration deferredRetry = Duration.ofSeconds(30);

    /**
     * @param audit  where each message's outcome is recorded (acknowledged, rejected)
     * @param ownJid this proxy's bare JID, the actor of those entries
     */
    public OutboxAcks(DataSource dataSource, AuditTrail audit, String ownJid) {
        this.dataSource = dataSource;
        this.audit = audit;
        this.ownJid = ownJid;
    }

    /**
     * The peers stored these messages: their rows are done, in one transaction with their audit entries. Only the
     * recipient of a row can acknowledge it; an ack sent twice, or for a message this proxy does not know, changes
     * nothing.
     *
     * @return the rows acknowledged now
     */
    public List<Acknowledged> acknowledge(List<Ack> acks) throws SQLException {
        List<UUID> ids = new ArrayList<>(acks.size());
        List<String> peers = new ArrayList<>(acks.size());
        for (Ack ack : acks) {
            UUID id = parse(ack.messageId());
            if (id != null && ack.peerJid() != null) {
                ids.add(id);
                peers.add(ack.peerJid());
            }
        }
        if (ids.isEmpty()) {
            return List.of();
        }
        return Transactions.inTransaction(dataSource, c -> {
            List<AuditEvent> outcomes = new ArrayList<>();
            List<Acknowledged> done = ACKNOWLEDGE.query(
                    c,
                    ACKNOWLEDGE
                            .params()
                            .array("message_ids", "uuid", ids.toArray())
                            .array("recipients", "text", peers.toArray()),
                    rs -> {
                        outcomes.add(Outcomes.transfer(
                                "transfer.acknowledged",
                                ownJid,
                                rs.getString(1),
                                rs.getString(2),
                                rs.getString(4),
                                rs.getString(5),
                                Outcomes.description(rs, 6),
                                null));
                        return new Acknowledged(rs.getString(1), rs.getString(3), rs.getString(2), rs.getInt(8));
                    });
            audit.append(c, outcomes);
            return done;
        });
    }

    /**
     * How long a deferred row waits before it is sent again: the ack timeout ({@code senproxy.outbox.ack-timeout-ms}),
     * as if no answer had come, but without spending an attempt.
     */
    public void retryDeferredAfter(Duration delay) {
        this.deferredRetry = delay;
    }

    /**
     * The peer refused the message for good (malformed, unauthorized): the row becomes a dead letter. A deferral
     * ({@link Ack#deferred()}) is not a refusal: see {@link #defer}.
     */
    public boolean reject(Ack ack) throws SQLException {
        if (ack.deferred()) {
            return defer(ack);
        }
        String peerJid = ack.peerJid();
        String messageId = ack.messageId();
        String reason = ack.reason() == null ? "no reason given" : ack.reason();
        UUID id = parse(messageId);
        if (id == null) {
            return false;
        }
        String fullReason = "rejected by " + peerJid + ": " + reason;
        boolean rejected = Transactions.inTransaction(dataSource, c -> {
            AuditEvent outcome = REJECT.one(
                    c,
                    REJECT.params()
                            .text("reason", fullReason)
                            .set("message_id", id)
                            .text("recipient", peerJid),
                    rs -> Outcomes.transfer(
                            "transfer.rejected",
                            ownJid,
                            messageId,
                            peerJid,
                            rs.getString(1),
                            rs.getString(2),
                            Outcomes.description(rs, 3),
                            fullReason));
            if (outcome != null) {
                audit.append(c, List.of(outcome));
            }
            return outcome != null;
        });
        if (rejected) {
            LOG.warn("Outbox message {} {}", messageId, fullReason);
        }
        return rejected;
    }

    /**
     * The peer will not take the message now (its operator suspended this proxy): the row is pending again, due after
     * {@link #retryDeferredAfter}, with the peer's reason as its last error, and the attempt is not counted; audited
     * ({@code transfer.deferred}) in the same transaction.
     */
    public boolean defer(Ack ack) throws SQLException {
        UUID id = parse(ack.messageId());
        if (id == null || ack.peerJid() == null) {
            return false;
        }
        String reason =
                "deferred by " + ack.peerJid() + ": " + (ack.reason() == null ? "no reason given" : ack.reason());
        boolean deferred = Transactions.inTransaction(dataSource, c -> {
            AuditEvent outcome = DEFER.one(
                    c,
                    DEFER.params()
                            .text("reason", reason)
                            .set("delay_ms", deferredRetry.toMillis())
                            .set("message_id", id)
                            .text("recipient", ack.peerJid()),
                    rs -> {
                        Map<String, Object> detail = new LinkedHashMap<>();
                        detail.put("message", ack.messageId());
                        detail.put("to", ack.peerJid());
                        detail.put("reason", reason);
                        return AuditEvent.of("transfer.deferred", ownJid, rs.getString(2), rs.getString(1), detail);
                    });
            if (outcome != null) {
                audit.append(c, List.of(outcome));
            }
            return outcome != null;
        });
        if (deferred) {
            LOG.info("Outbox message {} {}; sent again in {} s", ack.messageId(), reason, deferredRetry.toSeconds());
        }
        return deferred;
    }

    private static UUID parse(String messageId) {
        try {
            return UUID.fromString(messageId);
        } catch (IllegalArgumentException | NullPointerException e) {
            return null;
        }
    }
}
