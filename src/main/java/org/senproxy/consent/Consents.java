package org.senproxy.consent;

import static org.senproxy.db.Times.instant;
import static org.senproxy.db.Times.utc;

import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import com.nimbusds.jose.jwk.ECKey;
import org.senproxy.audit.AuditEvent;
import org.senproxy.audit.AuditTrail;
import org.senproxy.audit.ChangeSignatures;
import org.senproxy.db.Sql;
import org.senproxy.db.Transactions;
import org.senproxy.federation.ControlMessages;

/**
 * The sending side's consents: a data owner grants an application access to a scope of series for a period; the
 * consumers (subscriptions to local sources) that reference it send under it. Granting and revoking are audited, each
 * change signed by whoever made it, in the same transaction as the change.
 *
 * <p>A consent has two periods: <em>access</em> ({@code valid_from} .. {@code valid_until}), when the app may receive or
 * ask, and <em>data</em> ({@code data_from} .. {@code data_until}, a {@link DataPeriod}), which measurement times it
 * covers. The data period defaults to the access start, with an open end (up to the access end). Every path that
 * hands out records checks each record's own time against it: outbox-append, outbox-dispatch (for rows queued before
 * a narrowing), Quoalise history answers and pushes.
 *
 * <p>Revoking stops delivery at once: in the same transaction, the messages of that consent still waiting to be sent
 * or acknowledged become {@code revoked} with the reason, and are never sent again. The outbox does the same for an
 * expired consent when its messages come due ({@code OutboxDispatch.claim}). Narrowing the data period withholds
 * what queued messages hold outside it when they come due ({@code OutboxDispatch.claim} too).
 */
public class Consents {

    private static final Sql APP = Sql.of(Consents.class, "consent-app");
    private static final Sql USER = Sql.of(Consents.class, "consent-user");
    private static final Sql INSERT = Sql.of(Consents.class, "consent-insert");
    private static final Sql CONSUMER = Sql.of(Consents.class, "consent-consumer");
    private static final Sql REVOKE = Sql.of(Consents.class, "consent-revoke");
    private static final Sql WITHHOLD = Sql.of(Consents.class, "consent-withhold");
    private static final Sql NARROW_LOCK = Sql.of(Consents.class, "consent-narrow-lock");
    private static final Sql NARROW = Sql.of(Consents.class, "consent-narrow");
    private static final Sql QUEUED_OUTSIDE = Sql.of(Consents.class, "consent-queued-outside");
    private static final Sql LIST = Sql.of(Consents.class, "consent-list");

    /** An app as a grant finds it. */
    private record App(long id, String jid) {}

    /** A consent revoked: its data owner, and its app's address when the app is an enrolled peer (null otherwise). */
    private record Revoked(String user, String enrolledJid) {}

    /** A consent in force as a narrowing finds it. */
    private record InForce(DataPeriod data, Instant validUntil, String user) {}

    private final DataSource dataSource;
    private final AuditTrail audit;

    public Consents(DataSource dataSource, AuditTrail audit) {
        this.dataSource = dataSource;
        this.audit = audit;
    }

    /**
     * What a grant asks for: access from {@code validFrom} (null: now) to {@code validUntil}, data measured from
     * {@code dataFrom} (null: the access start) to {@code dataUntil} (null: open, up to the access end);
     * {@code sources} are the local sources (connector route ids) to send under it.
     */
    public record Grant(
            String user,
            String app,
            String scope,
            Instant validFrom,
            Instant validUntil,
            Instant dataFrom,
            Instant dataUntil,
            List<String> sources) {

        /** A grant whose data period is the default one: from the access start, open end. */
        public Grant(
                String user, String app, String scope, Instant validFrom, Instant validUntil, List<String> sources) {
            this(user, app, scope, validFrom, validUntil, null, null, sources);
        }
    }

    /**
     * Records a consent (the data owner is created if new; the app must be registered) and, for each source named, a
     * consumer that sends under it.
     *
     * @return the consent's ref, to give to the receiving proxy (its subscription names it)
     * @throws IllegalArgumentException for an unknown app, an invalid scope or an empty period
     */
    public String grant(Grant grant, String actor, ECKey signer) throws SQLException {
        return Transactions.inTransaction(dataSource, c -> grant(c, grant, null, actor, signer));
    }

    /**
     * Records a consent in the caller's transaction; {@code request} is the consent request it answers (then its
     * consumers follow the catalogue: {@link ConsentSources}), or null.
     */
    String grant(Connection c, Grant grant, UUID request, String actor, ECKey signer) throws SQLException {
        Scope scope = Scope.parse(grant.scope());
        Instant from = grant.validFrom() == null ? Instant.now() : grant.validFrom();
        if (!grant.validUntil().isAfter(from)) {
            throw new IllegalArgumentException("valid-until " + grant.validUntil() + " is not after " + from);
        }
        DataPeriod data =
                dataPeriod(grant.dataFrom() == null ? from : grant.dataFrom(), grant.dataUntil(), grant.validUntil());
        String ref = UUID.randomUUID().toString();
        App app = APP.one(c, APP.params().text("app", grant.app()), rs -> new App(rs.getLong(1), rs.getString(2)));
        if (app == null) {
            throw new IllegalArgumentException("no app named " + grant.app() + " (sen-proxy apps add registers one)");
        }
        long appId = app.id();
        String appJid = app.jid();
        long userId = USER.one(c, USER.params().text("external_id", grant.user()), rs -> rs.getLong(1));
        long consentId = INSERT.one(
                c,
                INSERT.params()
                        .set("ref", UUID.fromString(ref))
                        .set("user_id", userId)
                        .set("app_id", appId)
                        .text("scope", scope.text())
                        .set("valid_from", utc(from))
                        .set("valid_until", utc(grant.validUntil()))
                        .set("data_from", utc(data.from()))
                        .set("data_until", utc(data.until()))
                        .text("granted_by", actor)
                        .set("request_ref", request),
                rs -> rs.getLong(1));
        List<String> sources = grant.sources() == null ? List.of() : grant.sources();
        // not caught up: outbox-dispatch first sends what the source read before (held in source_record), as
        // far as the scope and the data period cover it, then outbox-append includes the consumer
        CONSUMER.batch(
                c,
                sources,
                (source, p) -> p.text("source", source)
                        .set("app_id", appId)
                        .set("user_id", userId)
                        .set("consent_id", consentId));
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("action", "grant");
        detail.put("consent", ref);
        detail.put("user", grant.user());
        detail.put("app", grant.app());
        detail.put("app_jid", appJid);
        detail.put("scope", scope.text());
        detail.put("valid_from", from.toString());
        detail.put("valid_until", grant.validUntil().toString());
        putDataPeriod(detail, data);
        detail.put("sources", request == null ? sources : "those whose declared series the scope covers");
        if (request != null) {
            detail.put("request", request.toString());
        }
        audit.append(c, List.of(signed("consent.granted", actor, grant.user(), ref, detail, signer)));
        return ref;
    }

    /**
     * Revokes a consent and withholds, in the same transaction, every message written under it that is not yet
     * acknowledged.
     *
     * @return the number of messages withheld
     * @throws IllegalArgumentException when no such consent is in force (unknown, or already revoked)
     */
    public int revoke(String ref, String reason, String actor, ECKey signer) throws SQLException {
        UUID id = uuid(ref);
        return Transactions.inTransaction(dataSource, c -> {
            // a list: a data owner's external id read as null still tells a consent revoked from none
            List<Revoked> revoked = REVOKE.query(
                    c,
                    REVOKE.params()
                            .text("revoked_by", actor)
                            .text("reason", reason)
                            .set("ref", id),
                    rs -> new Revoked(rs.getString(1), rs.getString(2)));
            if (revoked.isEmpty()) {
                throw new IllegalArgumentException("no consent " + ref + " in force (unknown, or revoked before)");
            }
            String user = revoked.get(0).user();
            String peer = revoked.get(0).enrolledJid();
            int withheld = WITHHOLD.update(
                    c,
                    WITHHOLD.params()
                            .text("reason", "consent " + ref + " revoked by " + actor + ": " + reason)
                            .set("ref", id));
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("action", "revoke");
            detail.put("consent", ref);
            detail.put("reason", reason);
            detail.put("messages_withheld", withheld);
            if (peer != null) {
                // an enrolled peer is told, and ends its subscription by itself
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("consent", ref);
                body.put("reason", reason);
                ControlMessages.queue(c, peer, ConsentRequests.CONSENT_REVOKED, ref, body);
                detail.put("peer_told", peer);
            }
            audit.append(c, List.of(signed("consent.revoked", actor, user, ref, detail, signer)));
            return withheld;
        });
    }

    /** What a narrowing did: the data period before and after, and the queued messages it reaches. */
    public record Narrowed(DataPeriod before, DataPeriod after, int queuedOutside) {}

    /**
     * Narrows a consent's data period: a later {@code dataFrom} and/or an earlier {@code dataUntil} (null: unchanged).
     * A wider period is refused: widening is a new grant. Messages already queued under the consent keep only their
     * records inside the new period: outbox-dispatch trims them (or withholds them whole) before it sends them.
     *
     * @throws IllegalArgumentException when no such consent is in force, or the period would widen or be empty
     */
    public Narrowed narrow(String ref, Instant dataFrom, Instant dataUntil, String actor, ECKey signer)
            throws SQLException {
        UUID id = uuid(ref);
        if (dataFrom == null && dataUntil == null) {
            throw new IllegalArgumentException("say how to narrow it: --data-from and/or --data-until");
        }
        return Transactions.inTransaction(dataSource, c -> {
            InForce inForce = NARROW_LOCK.one(
                    c,
                    NARROW_LOCK.params().set("ref", id),
                    rs -> new InForce(new DataPeriod(instant(rs, 1), instant(rs, 2)), instant(rs, 3), rs.getString(4)));
            if (inForce == null) {
                throw new IllegalArgumentException("no consent " + ref + " in force (unknown, or revoked)");
            }
            DataPeriod before = inForce.data();
            Instant validUntil = inForce.validUntil();
            String user = inForce.user();
            Instant from = dataFrom == null ? before.from() : dataFrom;
            Instant until = dataUntil == null ? before.until() : dataUntil;
            if (from.isBefore(before.from())) {
                throw new IllegalArgumentException("data-from " + from + " is before the consent's " + before.from()
                        + ": a consent is widened by a new grant, not narrowed");
            }
            Instant beforeEnd = before.until() == null ? validUntil : before.until();
            if (until != null && until.isAfter(beforeEnd)) {
                throw new IllegalArgumentException("data-until " + until + " is after the consent's " + beforeEnd
                        + ": a consent is widened by a new grant, not narrowed");
            }
            DataPeriod after = dataPeriod(from, until, validUntil);
            NARROW.update(
                    c,
                    NARROW.params()
                            .set("data_from", utc(after.from()))
                            .set("data_until", utc(after.until()))
                            .set("ref", id));
            int outside = QUEUED_OUTSIDE.one(
                    c,
                    QUEUED_OUTSIDE
                            .params()
                            .set("ref", id)
                            .set("data_from", utc(after.from()))
                            .set("data_until", utc(after.until())),
                    rs -> rs.getInt(1));
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("action", "narrow");
            detail.put("consent", ref);
            detail.put("data_before", before.text());
            putDataPeriod(detail, after);
            detail.put("queued_messages_outside", outside);
            audit.append(c, List.of(signed("consent.narrowed", actor, user, ref, detail, signer)));
            return new Narrowed(before, after, outside);
        });
    }

    /** Every consent, newest first, with the sources that send under it. */
    public List<Consent> list() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return LIST.query(c, LIST.params(), rs -> {
                Array sources = rs.getArray(12);
                return new Consent(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        instant(rs, 6),
                        instant(rs, 7),
                        new DataPeriod(instant(rs, 13), instant(rs, 14)),
                        rs.getString(8),
                        instant(rs, 9),
                        rs.getString(10),
                        rs.getString(11),
                        Arrays.asList((String[]) sources.getArray()));
            });
        }
    }

    /** A data period, checked: not empty, and starting before the access ends. */
    private static DataPeriod dataPeriod(Instant from, Instant until, Instant validUntil) {
        if (!from.isBefore(validUntil)) {
            throw new IllegalArgumentException("data-from " + from + " is not before the access end " + validUntil
                    + ": the consent would cover no data");
        }
        return new DataPeriod(from, until);
    }

    /** The data period in an audit entry, beside the access period: {@code data_until} null for an open end. */
    private static void putDataPeriod(Map<String, Object> detail, DataPeriod data) {
        detail.put("data_from", data.from().toString());
        detail.put("data_until", data.until() == null ? null : data.until().toString());
    }

    static AuditEvent signed(
            String kind, String actor, String user, String ref, Map<String, Object> detail, ECKey signer) {
        if (signer == null || !signer.isPrivate()) {
            throw new IllegalArgumentException(
                    "an authorization change is signed by whoever makes it: a private key" + " is needed");
        }
        String json = AuditTrail.detailJson(detail);
        return new AuditEvent(kind, actor, user, ref, detail, ChangeSignatures.sign(signer, json));
    }

    static UUID uuid(String ref) {
        try {
            return UUID.fromString(ref);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("'" + ref + "' is not a consent ref (a UUID)");
        }
    }
}
