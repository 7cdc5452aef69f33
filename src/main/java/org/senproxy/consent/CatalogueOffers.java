package org.senproxy.consent;

import static org.senproxy.db.Times.instant;

import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.senproxy.audit.AuditEvent;
import org.senproxy.audit.AuditTrail;
import org.senproxy.db.Sql;
import org.senproxy.db.Transactions;
import org.senproxy.federation.ControlCodec;
import org.senproxy.federation.ControlHandler;
import org.senproxy.federation.ControlMessages;
import org.senproxy.federation.ControlRefused;

/**
 * What each enrolled peer is told this proxy offers, and what it offers here (issue 20, step 5), both sides.
 * <ul>
 * <li>The enrollment's answer carries the catalogue (the series identifiers the connector files declare); the
 * catalogue is read at start-up, so a connector that starts declaring a new series (a new meter) changes it at the
 * next start. {@link #push} (the control timer, every replica) then sends each enrolled peer whose last offer differs a
 * {@code catalogue-change}: the whole offer, what was added and removed, and which series the consents it holds here
 * cover (for those, data starts flowing: {@link ConsentSources} adds the connector).</li>
 * <li>Receiving one, a proxy keeps the offer (a change older than the one it holds is not applied) and audits it;
 * {@link #of} gives both halves for {@code peers catalogue}, each offered series with the subscriptions here that may
 * receive it.</li>
 * </ul>
 * Every peer enrolled with this proxy is told the whole offer, as its enrollment's answer told it: the list names
 * series, never their values; what a peer may receive stays what its consents cover.
 */
public class CatalogueOffers implements ControlHandler {

    public static final String CATALOGUE_CHANGE = ControlCodec.CATALOGUE_CHANGE;

    /** Series in one offer, at most: a larger catalogue is refused rather than stored. */
    static final int MAX_SERIES = 10_000;

    private static final Sql DUE = Sql.of(CatalogueOffers.class, "catalogue-due");
    private static final Sql ROW = Sql.of(CatalogueOffers.class, "catalogue-row");
    private static final Sql LOCK = Sql.of(CatalogueOffers.class, "catalogue-offered-lock");
    private static final Sql OFFERED = Sql.of(CatalogueOffers.class, "catalogue-offered");
    private static final Sql RECEIVED = Sql.of(CatalogueOffers.class, "catalogue-received");
    private static final Sql OF = Sql.of(CatalogueOffers.class, "catalogue-of");
    private static final Sql CONSENTS = Sql.of(CatalogueOffers.class, "catalogue-consents");
    private static final Sql SUBSCRIPTIONS = Sql.of(CatalogueOffers.class, "catalogue-subscriptions");

    /** A consent here (sending side) or a subscription (receiving side): its ref and scope. */
    public record Grant(String ref, Scope scope) {}

    /** One series of an offer, with the grants that may cover it (none: it is not sent, or not received). */
    public record Entry(String identifier, List<String> grants) {}

    /**
     * One half of a peer's catalogue.
     *
     * @param version 0: the enrollment's answer; then one more per change
     * @param at      when it was sent or received; null: never (then {@code entries} is empty)
     * @param covered receiving side: the series the peer says the consents it holds for this proxy cover
     */
    public record Half(int version, Instant at, List<Entry> entries, List<String> covered) {}

    /** Both halves: what this proxy offered the peer and what the peer offered here. */
    public record Offers(String app, String jid, Half offered, Half received) {}

    private record Due(long appId, String jid, String app) {}

    private record Last(List<String> offered, int version) {}

    private record Stored(
            long appId,
            String jid,
            List<String> offered,
            int offeredVersion,
            Instant offeredAt,
            List<String> received,
            List<String> covered,
            int receivedVersion,
            Instant receivedAt) {}

    private final ControlMessages control;
    private final DataSource dataSource;
    private final AuditTrail audit;
    private final Supplier<List<String>> catalogue;

    /** @param catalogue the series identifiers this proxy offers now (the catalogue's declarations) */
    public CatalogueOffers(
            ControlMessages control, DataSource dataSource, AuditTrail audit, Supplier<List<String>> catalogue) {
        this.control = control;
        this.dataSource = dataSource;
        this.audit = audit;
        this.catalogue = catalogue;
    }

    /** The identifiers, sorted and each once: the form offers are stored and compared in. */
    public static List<String> normal(List<String> identifiers) {
        return List.copyOf(new TreeSet<>(identifiers));
    }

    /**
     * Sends a {@code catalogue-change} to each enrolled peer whose last offer differs from the catalogue now.
     *
     * @return how many peers were sent one
     */
    public int push() throws SQLException {
        List<String> offer = normal(catalogue.get());
        List<Due> due;
        try (Connection c = dataSource.getConnection()) {
            due = DUE.query(
                    c,
                    DUE.params().array("offered", "text", offer.toArray(String[]::new)),
                    rs -> new Due(rs.getLong(1), rs.getString(2), rs.getString(3)));
        }
        int sent = 0;
        for (Due peer : due) {
            if (offer(peer, offer)) {
                sent++;
            }
        }
        return sent;
    }

    private boolean offer(Due peer, List<String> offer) throws SQLException {
        return Transactions.inTransaction(dataSource, c -> {
            ROW.update(c, ROW.params().set("app_id", peer.appId()));
            Last last =
                    LOCK.one(c, LOCK.params().set("app_id", peer.appId()), rs -> new Last(texts(rs, 1), rs.getInt(2)));
            if (offer.equals(last.offered()) || (last.offered() == null && offer.isEmpty())) {
                return false; // another replica told it meanwhile
            }
            List<String> before = last.offered() == null ? List.of() : last.offered();
            int version = last.version() + 1;
            List<Grant> consents = grants(c, CONSENTS, peer.appId());
            List<String> covered = offer.stream()
                    .filter(id -> !entry(id, consents).grants().isEmpty())
                    .toList();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("version", version);
            body.put("series", offer);
            body.put("added", minus(offer, before));
            body.put("removed", minus(before, offer));
            body.put("covered", covered);
            ControlMessages.queue(c, peer.jid(), CATALOGUE_CHANGE, "v" + version, body);
            OFFERED.update(
                    c,
                    OFFERED.params()
                            .set("app_id", peer.appId())
                            .array("offered", "text", offer.toArray(String[]::new))
                            .set("version", version));
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("app", peer.app());
            detail.put("version", version);
            detail.put("added", body.get("added"));
            detail.put("removed", body.get("removed"));
            detail.put("covered", covered);
            audit.append(c, List.of(AuditEvent.of("catalogue.offered", AuditTrail.PROXY_ACTOR, null, null, detail)));
            return true;
        });
    }

    /** Both halves of the catalogue exchanged with the app {@code app}, or null when there is no such app. */
    public static Offers of(DataSource dataSource, String app) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Stored row = OF.one(
                    c,
                    OF.params().text("app", app),
                    rs -> new Stored(
                            rs.getLong(1),
                            rs.getString(2),
                            texts(rs, 3),
                            rs.getInt(4),
                            instant(rs, 5),
                            texts(rs, 6),
                            texts(rs, 7),
                            rs.getInt(8),
                            instant(rs, 9)));
            if (row == null) {
                return null;
            }
            List<Grant> consents = grants(c, CONSENTS, row.appId());
            List<Grant> subscriptions = grants(c, SUBSCRIPTIONS, row.appId());
            return new Offers(
                    app,
                    row.jid(),
                    new Half(row.offeredVersion(), row.offeredAt(), entries(row.offered(), consents), List.of()),
                    new Half(
                            row.receivedVersion(),
                            row.receivedAt(),
                            entries(row.received(), subscriptions),
                            row.covered() == null ? List.of() : row.covered()));
        }
    }

    private static List<Entry> entries(List<String> series, List<Grant> grants) {
        return series == null
                ? List.of()
                : series.stream().map(id -> entry(id, grants)).toList();
    }

    private static Entry entry(String identifier, List<Grant> grants) {
        return new Entry(
                identifier,
                grants.stream()
                        .filter(g -> g.scope().mayCover(identifier))
                        .map(Grant::ref)
                        .toList());
    }

    private static List<Grant> grants(Connection c, Sql sql, long appId) throws SQLException {
        return sql.query(
                c, sql.params().set("app_id", appId), rs -> new Grant(rs.getString(1), Scope.parse(rs.getString(2))));
    }

    private static List<String> texts(ResultSet rs, int column) throws SQLException {
        Array array = rs.getArray(column);
        return array == null ? null : Arrays.asList((String[]) array.getArray());
    }

    private static List<String> minus(List<String> a, List<String> b) {
        List<String> left = new ArrayList<>(a);
        left.removeAll(b);
        return left;
    }

    // ---- receiving

    @Override
    public Set<String> types() {
        return Set.of(CATALOGUE_CHANGE);
    }

    @Override
    public String refusalKind() {
        return "catalogue.refused";
    }

    @Override
    public void handle(Connection c, ControlCodec.Received message, Map<String, Object> detail) throws SQLException {
        ControlMessages.Signed signed = control.signer(c, message);
        detail.put("app", signed.app());
        Map<String, Object> body = signed.body();
        if (!(body.get("version") instanceof Number number)
                || number.doubleValue() != Math.rint(number.doubleValue())
                || number.intValue() < 1) {
            throw new ControlRefused("the catalogue change has no valid version (a whole number from 1)");
        }
        int version = number.intValue();
        List<String> series = identifiers(body, "series");
        List<String> covered = identifiers(body, "covered");
        if (!series.containsAll(covered)) {
            throw new ControlRefused("the catalogue change says it covers series it does not offer");
        }
        detail.put("version", version);
        detail.put("added", identifiers(body, "added"));
        detail.put("removed", identifiers(body, "removed"));
        detail.put("covered", covered);
        detail.put("message", message.messageId());
        Integer applied = RECEIVED.one(
                c,
                RECEIVED.params()
                        .set("app_id", signed.appId())
                        .array("received", "text", normal(series).toArray(String[]::new))
                        .array("covered", "text", normal(covered).toArray(String[]::new))
                        .set("version", version),
                rs -> rs.getInt(1));
        if (applied == null) {
            detail.put("applied", false);
            detail.put("why", "a later version is held here already");
        }
        audit.append(c, List.of(AuditEvent.of("catalogue.received", message.senderJid(), null, null, detail)));
    }

    private static List<String> identifiers(Map<String, Object> body, String name) {
        if (!(body.get(name) instanceof List<?> list) || list.size() > MAX_SERIES) {
            throw new ControlRefused("the catalogue change has no valid " + name + " (a list of at most " + MAX_SERIES
                    + " series identifiers)");
        }
        List<String> identifiers = new ArrayList<>(list.size());
        for (Object item : list) {
            if (!(item instanceof String s) || s.isBlank() || s.length() > 512) {
                throw new ControlRefused(
                        "the catalogue change's " + name + " holds something that is not a series" + " identifier");
            }
            identifiers.add(s);
        }
        return identifiers;
    }
}
